import { useShallow } from 'zustand/shallow'
import { useAppState, useAppStateThrottled, useInspector } from '../../state/InspectorContext'
import { LIVE_REFRESH_MS, LIVE_ROWS_MAX } from '../../state/liveSlice'
import { selectNewWhilePaused } from '../../state/selectors'
import { formatCount } from '../common/format'

const END_REASONS = {
  closed: 'the subscription was closed',
  store_closed: 'the store was closed',
  overflow: 'the page fell behind the store and the host stopped sending',
  error: 'the host reported an error',
} as const

/**
 * LiveStreamNotes says how the stream is doing: events received (or new since pausing),
 * older rows dropped from the bounded buffer, and why a stream stopped, with a restart.
 */
export function LiveStreamNotes() {
  const inspector = useInspector()
  const paused = useAppState((state) => state.live.paused !== null)
  const [received, newWhilePaused, dropped] = useAppStateThrottled(
    useShallow((state) => [state.live.received, selectNewWhilePaused(state), state.live.dropped]),
    LIVE_REFRESH_MS,
  )
  const endReason = useAppState((state) =>
    state.live.status === 'ended' ? (state.live.endReason ?? 'error') : null,
  )
  return (
    <>
      <p className="live-view__status" role="status">
        {paused
          ? `Paused · ${formatCount(newWhilePaused)} new since pausing`
          : `${formatCount(received)} events received`}
      </p>
      {dropped > 0 && (
        <p className="live-view__note">
          Showing the newest {formatCount(LIVE_ROWS_MAX)} rows: {formatCount(dropped)} older rows
          were dropped from view. Use Query to read them.
        </p>
      )}
      {endReason !== null && (
        <p className="live-view__note" role="alert">
          The live stream stopped: {END_REASONS[endReason]}.{' '}
          <button
            type="button"
            onClick={() => void inspector.setLiveFilter(inspector.store.getState().live.filter)}
          >
            Restart the stream
          </button>
        </p>
      )}
    </>
  )
}
