import { useState } from 'react'
import type { StoredEvent } from '../../../../shared/event'
import type { StoreHandle } from '../../../../shared/storeApi'
import { useInspector } from '../../state/InspectorContext'
import { CopyButton } from '../../components/CopyButton'

export interface CausalityLinksProps {
  event: StoredEvent
  handle: StoreHandle
}

/**
 * CausalityLinks follows an event's correlation and causation ids: each chain opens as a
 * query in the Query view, and the cause itself can be opened here.
 */
export function CausalityLinks({ event, handle }: CausalityLinksProps) {
  const inspector = useInspector()
  const [causeMissing, setCauseMissing] = useState<string | null>(null)
  const { correlation_id: correlation, causation_id: causation } = event

  const openCause = async (eventId: string) => {
    const result = await inspector.api.getEvent({ handle, event_id: eventId })
    if (result.ok) inspector.select(result.value)
    else
      setCauseMissing(
        result.error.code === 'not_found'
          ? 'The cause is not in this store.'
          : result.error.message,
      )
  }

  return (
    <dl className="event-detail__fields">
      <dt>Correlation</dt>
      <dd>
        {correlation === null ? (
          <span className="muted">none</span>
        ) : (
          <>
            <button
              type="button"
              className="link"
              onClick={() => inspector.queryFor({ correlation_id: correlation })}
            >
              {correlation}
            </button>
            <CopyButton what="correlation id" text={correlation} />
          </>
        )}
      </dd>
      <dt>Causation</dt>
      <dd>
        {causation === null ? (
          <span className="muted">none</span>
        ) : (
          <>
            <button
              type="button"
              className="link"
              onClick={() => inspector.queryFor({ causation_id: causation })}
            >
              {causation}
            </button>
            <CopyButton what="causation id" text={causation} />
            <button type="button" onClick={() => void openCause(causation)}>
              Open the cause
            </button>
            {causeMissing !== null && <span className="muted"> {causeMissing}</span>}
          </>
        )}
      </dd>
      <dt>Caused by this</dt>
      <dd>
        <button
          type="button"
          className="link"
          onClick={() => inspector.queryFor({ causation_id: event.event_id })}
        >
          Events caused by this one
        </button>
      </dd>
    </dl>
  )
}
