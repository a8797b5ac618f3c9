import { useState } from 'react'
import { KNOWN_EVENT_TYPES } from '../../../../shared/event'
import { NO_LIVE_FILTER } from '../../state/liveSlice'
import type { LiveFilter } from '../../state/liveSlice'

export interface LiveFilterBarProps {
  filter: LiveFilter
  onApply: (filter: LiveFilter) => void
}

const FIELDS: { key: keyof LiveFilter; label: string; placeholder: string }[] = [
  { key: 'event_type', label: 'Type', placeholder: 'any type' },
  { key: 'aggregate_id', label: 'Aggregate', placeholder: 'any aggregate id' },
  { key: 'source_agent', label: 'Source agent', placeholder: 'any source agent' },
]

/** LiveFilterBar edits the quick filters; applying them restarts the stream with them. */
export function LiveFilterBar({ filter, onApply }: LiveFilterBarProps) {
  const [draft, setDraft] = useState(filter)
  const [applied, setApplied] = useState(filter)
  // A filter applied elsewhere (a store switch resets it) replaces the draft.
  if (applied !== filter) {
    setApplied(filter)
    setDraft(filter)
  }
  return (
    <form
      className="live-filter-bar"
      aria-label="Live filters"
      onSubmit={(event) => {
        event.preventDefault()
        onApply(draft)
      }}
    >
      {FIELDS.map(({ key, label, placeholder }, index) => (
        <label key={key}>
          {label}
          <input
            data-shortcut-target={index === 0 ? 'filter' : undefined}
            list={key === 'event_type' ? 'known-event-types' : undefined}
            placeholder={placeholder}
            value={draft[key]}
            onChange={(event) => setDraft({ ...draft, [key]: event.target.value })}
          />
        </label>
      ))}
      <datalist id="known-event-types">
        {KNOWN_EVENT_TYPES.map((type) => (
          <option key={type} value={type} />
        ))}
      </datalist>
      <button type="submit">Apply filters</button>
      <button type="button" onClick={() => onApply(NO_LIVE_FILTER)}>
        Clear filters
      </button>
    </form>
  )
}
