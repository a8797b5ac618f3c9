import { useEffect, useState } from 'react'
import type { ServerStatus, StoreHandle } from '../../../shared/storeApi'
import { CopyButton } from '../components/CopyButton'
import { useInspector } from '../state/InspectorContext'

export interface ServeOverHttpProps {
  handle: StoreHandle
  /** Told each status the host answers, so the page can show the server's metrics URL. */
  onStatus: (status: ServerStatus | null) => void
}

/**
 * ServeOverHttp lets the desktop app serve the shown store over HTTP on loopback (off
 * until the user turns it on): it shows the URL, the single-use login URL for a browser,
 * and a Copy button for the admin token, which is never written on screen.
 */
export function ServeOverHttp({ handle, onStatus }: ServeOverHttpProps) {
  const inspector = useInspector()
  const [status, setStatus] = useState<ServerStatus | null>(null)
  const [busy, setBusy] = useState(false)

  useEffect(() => {
    let current = true
    void inspector.api.serverStatus({ handle }).then((result) => {
      if (!current) return
      // Not offered here (a served page): the control stays hidden.
      const shown = result.ok ? result.value : null
      setStatus(shown)
      onStatus(shown)
    })
    return () => {
      current = false
    }
  }, [inspector, handle, onStatus])

  if (status === null) return null
  const toggle = async () => {
    setBusy(true)
    const result = status.running
      ? await inspector.api.stopServer({ handle })
      : await inspector.api.startServer({ handle })
    setBusy(false)
    if (!result.ok) {
      const action = status.running ? 'Stopping the HTTP server' : 'Serving over HTTP'
      inspector.reportError({ ...result.error, action })
      return
    }
    setStatus(result.value)
    onStatus(result.value)
  }
  return (
    <section className="serve-over-http" aria-label="Serve over HTTP">
      <label>
        <input
          type="checkbox"
          checked={status.running}
          disabled={busy}
          onChange={() => void toggle()}
        />{' '}
        Serve over HTTP{status.read_only ? ' (read-only)' : ''}
      </label>
      {status.running && (
        <dl className="serve-over-http__facts">
          <dt>URL</dt>
          <dd>
            <code className="mono">{status.url}</code>
          </dd>
          <dt>Browser login (once)</dt>
          <dd>
            {status.login_url === null ? (
              <span className="muted">Used; stop and start again for a new one.</span>
            ) : (
              <code className="mono">{status.login_url}</code>
            )}
          </dd>
          <dt>Admin token</dt>
          <dd>{status.token !== null && <CopyButton what="admin token" text={status.token} />}</dd>
        </dl>
      )}
    </section>
  )
}
