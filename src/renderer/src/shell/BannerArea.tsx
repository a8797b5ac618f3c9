import { useMemo } from 'react'
import { selectCurrentStore } from '../state/selectors'
import { useAppState, useInspector } from '../state/InspectorContext'
import { bannersOf } from './banners'
import type { BannerAction } from './banners'

const ACTION_LABELS: Record<BannerAction, string> = {
  dismiss: 'Dismiss',
  files: 'Verify in Files',
  recovery: 'Go to Recovery',
}

/** BannerArea shows errors and degradation above the current view. */
export function BannerArea() {
  const inspector = useInspector()
  const bridge = useAppState((state) => state.session.bridge)
  const connection = useAppState((state) => state.session.connection)
  const lastError = useAppState((state) => state.session.lastError)
  const store = useAppState(selectCurrentStore)
  const sla = useAppState((state) =>
    store === null ? null : (state.monitor.sla[store.handle] ?? null),
  )
  const banners = useMemo(
    () => bannersOf({ bridge, connection, lastError, store, sla }),
    [bridge, connection, lastError, store, sla],
  )
  const run = (action: BannerAction): void => {
    if (action === 'dismiss') inspector.dismissError()
    else inspector.navigate(action)
  }
  if (banners.length === 0) return null
  return (
    <div className="banner-area">
      {banners.map((banner) => (
        <div
          key={banner.id}
          className={`banner banner--${banner.tone}`}
          role={banner.tone === 'info' ? 'status' : 'alert'}
        >
          <span className="banner__message">{banner.message}</span>
          {banner.actions.map((action) => (
            <button key={action} type="button" onClick={() => run(action)}>
              {ACTION_LABELS[action]}
            </button>
          ))}
        </div>
      ))}
    </div>
  )
}
