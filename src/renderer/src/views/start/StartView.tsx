import { useCallback, useEffect, useState } from 'react'
import type { ErrorBody } from '../../../../shared/errorCodes'
import type { Result, StoreAccess, StoreSummary } from '../../../../shared/storeApi'
import { useAppState, useInspector } from '../../state/InspectorContext'
import { OpenStoreForm } from './OpenStoreForm'
import { OpenStoreList } from './OpenStoreList'
import { RecentStoreList } from './RecentStoreList'
import { openErrorHelp } from './openErrorHelp'
import type { OpenOffer } from './openErrorHelp'
import '../common/common.css'
import './start.css'
import { useCommand } from '../../containers/useCommand'

const OFFER_LABELS: Record<OpenOffer, string> = {
  follow: 'Open in follow (read-only) mode',
  create: 'Create a store here',
  files: 'Go to Files',
  recovery: 'Go to Recovery',
}

interface FailedAttempt {
  path: string
  error: ErrorBody
}

/** StartView opens, creates and switches stores; in browser mode it shows the served store. */
export function StartView() {
  const inspector = useInspector()
  const bridge = useAppState((state) => state.session.bridge)
  const recent = useAppState((state) => state.session.recent)
  const storesByHandle = useAppState((state) => state.session.stores)
  const currentHandle = useAppState((state) => state.session.currentHandle)
  const [busy, setBusy] = useState(false)
  const [failed, setFailed] = useState<FailedAttempt | null>(null)
  const browsing = bridge === 'electron'

  useEffect(() => {
    void inspector.refreshStores()
  }, [inspector])

  const attempt = useCallback(async (path: string, call: () => Promise<Result<StoreSummary>>) => {
    setBusy(true)
    const result = await call()
    setBusy(false)
    setFailed(result.ok ? null : { path, error: result.error })
  }, [])
  const open = useCallback(
    (path: string, access: StoreAccess) => attempt(path, () => inspector.openStore(path, access)),
    [attempt, inspector],
  )

  // A folder dropped on the window: opened here, so a failure gets its offers below.
  const openDropped = useCallback(
    (command: { path: string }) => void open(command.path, 'write'),
    [open],
  )
  useCommand('open_folder', null, openDropped)

  const create = (path: string) => attempt(path, () => inspector.createStore(path))
  const help = failed === null ? null : openErrorHelp(failed.path, failed.error)

  const runOffer = (offer: OpenOffer, path: string) => {
    if (offer === 'follow') void open(path, 'follow')
    else if (offer === 'create') void create(path)
    else inspector.navigate(offer)
  }

  return (
    <section className="view start-view" aria-labelledby="start-view-title">
      <h2 id="start-view-title">Start</h2>
      {browsing ? (
        <>
          <OpenStoreForm
            busy={busy}
            onOpen={(path, access) => void open(path, access)}
            onCreate={(path) => void create(path)}
          />
          <div>
            <button
              type="button"
              disabled={busy}
              onClick={() => void attempt('the demo store', () => inspector.openDemo())}
            >
              Open the demo store
            </button>
          </div>
          <p className="muted">You can also drop a store folder anywhere on this window.</p>
        </>
      ) : (
        <p className="muted">
          This page is served for one store. Opening, creating and browsing other folders is done on
          the server, with <span className="mono">lighthouse-store serve DIR</span>.
        </p>
      )}
      {failed !== null && help !== null && (
        <div role="alert" className="start-view__error">
          <p>{help.message}</p>
          {help.offers.map((offer) => (
            <button
              key={offer}
              type="button"
              disabled={busy}
              onClick={() => runOffer(offer, failed.path)}
            >
              {OFFER_LABELS[offer]}
            </button>
          ))}
        </div>
      )}
      <h3>{browsing ? 'Open stores' : 'Served store'}</h3>
      <OpenStoreList
        stores={Object.values(storesByHandle)}
        currentHandle={currentHandle}
        onShow={(handle) => inspector.showStore(handle)}
      />
      {browsing && (
        <>
          <h3>Recent stores</h3>
          {recent === null ? (
            <p className="muted">Loading…</p>
          ) : (
            <RecentStoreList stores={recent} onOpen={(path) => void open(path, 'write')} />
          )}
        </>
      )}
    </section>
  )
}
