import type { RecentStore } from '../../../../shared/storeApi'
import { formatBytes, formatTime } from '../common/format'

export interface RecentStoreListProps {
  stores: RecentStore[]
  onOpen: (path: string) => void
}

/** RecentStoreList shows the stores opened before, newest first, each with an Open button. */
export function RecentStoreList({ stores, onOpen }: RecentStoreListProps) {
  if (stores.length === 0) return <p className="muted">No store opened yet.</p>
  return (
    <table className="data-table" aria-label="Recent stores">
      <thead>
        <tr>
          <th>Path</th>
          <th className="num">Size</th>
          <th>Last opened</th>
          <th>
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {stores.map((store) => (
          <tr key={store.path}>
            <td className="mono" title={store.name}>
              {store.path}
              {!store.exists && <span className="error-text"> (missing)</span>}
            </td>
            <td className="num">{formatBytes(store.size_bytes)}</td>
            <td>{formatTime(store.last_opened_at)}</td>
            <td>
              <button
                type="button"
                disabled={!store.exists}
                aria-label={`Open ${store.path}`}
                onClick={() => onOpen(store.path)}
              >
                Open
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
