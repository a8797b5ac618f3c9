import { useLayoutEffect, useState } from 'react'
import type { RefObject } from 'react'

/**
 * useElementHeight is an element's inner height in pixels, measured once when it mounts and
 * again only when a ResizeObserver reports a change, so renders never read layout.
 */
export function useElementHeight(ref: RefObject<HTMLElement | null>): number {
  const [heightPx, setHeightPx] = useState(0)
  useLayoutEffect(() => {
    const element = ref.current
    if (element === null) return
    setHeightPx(element.clientHeight)
    const observer = new ResizeObserver(() => setHeightPx(element.clientHeight))
    observer.observe(element)
    return () => observer.disconnect()
  }, [ref])
  return heightPx
}
