import { TIME_RANGES, type TimeRangeId } from './historyRange'

export interface TimeRangeSelectorProps {
  value: TimeRangeId
  onChange: (value: TimeRangeId) => void
}

/** TimeRangeSelector is a radio group, so arrow keys move between ranges as people expect. */
export function TimeRangeSelector({ value, onChange }: TimeRangeSelectorProps) {
  return (
    <fieldset className="time-range">
      <legend>Time range</legend>
      {TIME_RANGES.map((range) => (
        <label key={range.id}>
          <input
            type="radio"
            name="performance-time-range"
            value={range.id}
            checked={value === range.id}
            onChange={() => onChange(range.id)}
          />
          {range.label}
        </label>
      ))}
    </fieldset>
  )
}
