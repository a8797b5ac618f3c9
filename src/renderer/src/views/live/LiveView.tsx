import type { StoreHandle } from '../../../../shared/storeApi'
import { useAppState, useInspector } from '../../state/InspectorContext'
import { selectCurrentStore } from '../../state/selectors'
import { EventDetail } from '../detail/EventDetail'
import { LiveEventList } from './LiveEventList'
import { LiveFilterBar } from './LiveFilterBar'
import { LiveStreamNotes } from './LiveStreamNotes'
import '../common/common.css'
import './live.css'

/**
 * LiveView streams the shown store's new events, with the selected event's detail beside.
 * Its parts read the live state each for themselves, so a push of new rows re-renders the
 * list and the status line, not the toolbar or an open event's detail.
 */
export function LiveView() {
  const inspector = useInspector()
  const handle = useAppState((state) => selectCurrentStore(state)?.handle ?? null)
  const filter = useAppState((state) => state.live.filter)
  const paused = useAppState((state) => state.live.paused !== null)
  if (handle === null) {
    return (
      <section className="view live-view" aria-label="Live">
        <p className="muted">Open a store on the Start view to watch its events.</p>
      </section>
    )
  }
  return (
    <section className="view live-view" aria-labelledby="live-view-title">
      <div className="live-view__toolbar">
        <h2 id="live-view-title">Live</h2>
        <LiveFilterBar filter={filter} onApply={(next) => void inspector.setLiveFilter(next)} />
        <button
          type="button"
          aria-pressed={paused}
          onClick={() => (paused ? inspector.resume() : inspector.pause())}
        >
          {paused ? 'Resume' : 'Pause'}
        </button>
      </div>
      <LiveStreamNotes />
      <div className="live-view__body">
        <LiveEventList />
        <SelectedEventDetail handle={handle} />
      </div>
    </section>
  )
}

function SelectedEventDetail({ handle }: { handle: StoreHandle }) {
  const selected = useAppState((state) => state.selection.event)
  return selected === null ? null : <EventDetail event={selected} handle={handle} />
}
