/**
 * eventPreview is what a list row shows of an event's payload: its JSON size and the start
 * of its data, cut at PREVIEW_CHARS_MAX so a 1 MiB payload costs a list row no more than a
 * small one. Computed once per event (the rows are immutable) and only for rows on screen.
 */
import type { StoredEvent } from '../../../../shared/event'

/** PREVIEW_CHARS_MAX bounds the data preview of a list row; the detail shows everything. */
export const PREVIEW_CHARS_MAX = 160

export interface EventPreview {
  /** Size of the event as JSON text, in bytes (UTF-8). */
  bytes: number
  preview: string
  truncated: boolean
}

const previews = new WeakMap<StoredEvent, EventPreview>()
const encoder = new TextEncoder()

export function eventPreview(event: StoredEvent): EventPreview {
  const known = previews.get(event)
  if (known !== undefined) return known
  const data = JSON.stringify(event.data)
  const truncated = data.length > PREVIEW_CHARS_MAX
  const computed: EventPreview = {
    bytes: encoder.encode(JSON.stringify(event)).length,
    preview: truncated ? `${data.slice(0, PREVIEW_CHARS_MAX)}…` : data,
    truncated,
  }
  previews.set(event, computed)
  return computed
}
