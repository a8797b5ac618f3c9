import type { StoreHandle, StoreSummary } from '../../../../shared/storeApi'
import { formatBytes, formatCount } from '../common/format'

export interface OpenStoreListProps {
  stores: StoreSummary[]
  currentHandle: StoreHandle | null
  onShow: (handle: StoreHandle) => void
}

/** OpenStoreList shows the stores open in the host (in browser mode, the served store). */
export function OpenStoreList({ stores, currentHandle, onShow }: OpenStoreListProps) {
  if (stores.length === 0) return <p className="muted">No store is open.</p>
  return (
    <ul className="open-store-list" aria-label="Open stores">
      {stores.map((store) => (
        <li key={store.handle}>
          <span className="mono">{store.path}</span>{' '}
          <span className="muted">
            {formatCount(store.event_count)} events · {formatBytes(store.bytes)}
          </span>{' '}
          <button
            type="button"
            aria-label={`Show ${store.name}`}
            aria-current={store.handle === currentHandle ? 'true' : undefined}
            onClick={() => onShow(store.handle)}
          >
            Show
          </button>
        </li>
      ))}
    </ul>
  )
}
