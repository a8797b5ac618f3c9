import { useState } from 'react'

export interface CopyButtonProps {
  /** What is copied, for the accessible name: "Copy event id". */
  what: string
  text: string
}

type CopyState = 'idle' | 'copied' | 'failed'

/** CopyButton puts text on the clipboard and says whether it worked. */
export function CopyButton({ what, text }: CopyButtonProps) {
  const [state, setState] = useState<CopyState>('idle')
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text)
      setState('copied')
    } catch {
      // The clipboard can be refused (no permission, page not focused); say so.
      setState('failed')
    }
  }
  return (
    <button
      type="button"
      className="copy-button"
      aria-label={`Copy ${what}`}
      onClick={() => void copy()}
    >
      {state === 'idle' ? 'Copy' : state === 'copied' ? 'Copied' : 'Copy failed'}
    </button>
  )
}
