import type { StoredEvent } from '../../../../shared/event'
import type { StoreHandle } from '../../../../shared/storeApi'
import { CopyButton } from '../../components/CopyButton'
import { JsonTree } from '../../components/JsonTree'
import { useInspector } from '../../state/InspectorContext'
import { formatTime } from '../common/format'
import { CausalityLinks } from './CausalityLinks'
import { RawRecordPanel } from './RawRecordPanel'
import './detail.css'

export interface EventDetailProps {
  event: StoredEvent
  handle: StoreHandle
}

/** EventDetail shows one event whole: ids, causality, payload, metadata and stored bytes. */
export function EventDetail({ event, handle }: EventDetailProps) {
  const inspector = useInspector()
  const fields: [string, string, boolean][] = [
    ['Event id', event.event_id, true],
    ['Sequence', String(event.sequence), false],
    ['Type', event.event_type, false],
    ['Aggregate', `${event.aggregate_type} ${event.aggregate_id}`, false],
    ['Time', formatTime(event.timestamp), false],
    ['Source', `${event.source_agent ?? 'no agent'} / ${event.source_component}`, false],
    ['Schema version', String(event.schema_version), false],
  ]
  if (event.idempotency_key !== undefined)
    fields.push(['Idempotency key', event.idempotency_key, true])
  return (
    <aside className="event-detail" aria-labelledby="event-detail-title">
      <div className="event-detail__head">
        <h3 id="event-detail-title">Event {event.sequence}</h3>
        <CopyButton what="event as JSON" text={JSON.stringify(event, null, 2)} />
        <button
          type="button"
          aria-label="Close event detail"
          onClick={() => inspector.select(null)}
        >
          ✕
        </button>
      </div>
      <dl className="event-detail__fields">
        {fields.map(([term, value, copyable]) => (
          <div key={term} className="event-detail__field">
            <dt>{term}</dt>
            <dd className="mono">
              {value}
              {copyable && <CopyButton what={term.toLowerCase()} text={value} />}
            </dd>
          </div>
        ))}
      </dl>
      <h4>Causality</h4>
      <CausalityLinks event={event} handle={handle} />
      <h4>Data</h4>
      <JsonTree label="Data" value={event.data} />
      <h4>Metadata</h4>
      <JsonTree label="Metadata" value={event.metadata} />
      <h4>Stored record</h4>
      <RawRecordPanel handle={handle} sequence={event.sequence} />
    </aside>
  )
}
