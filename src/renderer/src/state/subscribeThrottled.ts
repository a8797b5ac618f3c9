/**
 * subscribeThrottled listens to a store but calls `listener` at most once per `intervalMs`:
 * at once when the last call is that long ago, otherwise once when the interval is over, so
 * the latest change is always delivered and a burst of changes costs one call. The clock is
 * Date's; a change that finds the interval over calls at once even if the timer is late (as
 * a background tab's timers are).
 */
export function subscribeThrottled(
  store: { subscribe(listener: () => void): () => void },
  listener: () => void,
  intervalMs: number,
): () => void {
  let lastCallMs = -Infinity
  let timer: ReturnType<typeof setTimeout> | null = null
  const call = (): void => {
    if (timer !== null) clearTimeout(timer)
    timer = null
    lastCallMs = Date.now()
    listener()
  }
  const unsubscribe = store.subscribe(() => {
    const waitMs = lastCallMs + intervalMs - Date.now()
    if (waitMs <= 0) call()
    else timer ??= setTimeout(call, waitMs)
  })
  return () => {
    unsubscribe()
    if (timer !== null) clearTimeout(timer)
  }
}
