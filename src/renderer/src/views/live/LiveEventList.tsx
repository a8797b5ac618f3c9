import { useCallback } from 'react'
import { useShallow } from 'zustand/shallow'
import type { StoredEvent } from '../../../../shared/event'
import { useAppState, useAppStateThrottled, useInspector } from '../../state/InspectorContext'
import { LIVE_REFRESH_MS } from '../../state/liveSlice'
import { selectUnseenCount, selectVisibleRows } from '../../state/selectors'
import { formatCount } from '../common/format'
import { LiveTable } from './LiveTable'

/** LiveEventList is the Live table and, when scrolled away from the newest row, "N new ↓". */
export function LiveEventList() {
  const inspector = useInspector()
  const [rows, unseen] = useAppStateThrottled(
    useShallow((state) => [selectVisibleRows(state), selectUnseenCount(state)] as const),
    LIVE_REFRESH_MS,
  )
  // Not throttled: scrolling away must stop the table following at once.
  const following = useAppState((state) => state.live.following)
  const selectedSequence = useAppState((state) => state.selection.event?.sequence ?? null)
  // Stable across renders, so the table's memoized rows skip the ones that did not change.
  const select = useCallback((event: StoredEvent) => inspector.select(event), [inspector])
  const setFollowing = useCallback(
    (following: boolean) => inspector.setFollowing(following),
    [inspector],
  )
  return (
    <div className="live-view__list">
      <LiveTable
        rows={rows}
        selectedSequence={selectedSequence}
        following={following}
        onFollowingChange={setFollowing}
        onSelect={select}
      />
      {unseen > 0 && (
        <button
          type="button"
          className="live-view__unseen primary"
          onClick={() => inspector.setFollowing(true)}
        >
          {formatCount(unseen)} new ↓
        </button>
      )}
    </div>
  )
}
