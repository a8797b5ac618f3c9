/** The selection: the event the detail panel shows, or none. */
import type { StoredEvent } from '../../../shared/event'

export interface SelectionState {
  event: StoredEvent | null
}

export function initialSelection(): SelectionState {
  return { event: null }
}
