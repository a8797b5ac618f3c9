import { useEffect, useState } from 'react'
import type { ErrorBody } from '../../../../shared/errorCodes'
import type { RawRecord, StoreHandle } from '../../../../shared/storeApi'
import { useInspector } from '../../state/InspectorContext'
import { StatusBadge } from '../common/StatusBadge'
import { formatBytes } from '../common/format'

/** HEX_BYTES_SHOWN_MAX bounds the hex dump drawn; the copy button still copies it all. */
export const HEX_BYTES_SHOWN_MAX = 16 * 1024
const HEX_ROW_BYTES = 16

type Loaded = { record: RawRecord } | { error: ErrorBody } | null

export interface RawRecordPanelProps {
  handle: StoreHandle
  sequence: number
}

/**
 * RawRecordPanel reads the stored record to show its checksum state, and draws its bytes
 * as hex only when asked, since a record can be a mebibyte.
 */
export function RawRecordPanel({ handle, sequence }: RawRecordPanelProps) {
  const { api } = useInspector()
  const [loaded, setLoaded] = useState<Loaded>(null)
  const [showHex, setShowHex] = useState(false)

  useEffect(() => {
    let current = true
    setLoaded(null)
    setShowHex(false)
    void api.getRawRecord({ handle, sequence }).then((result) => {
      if (current) setLoaded(result.ok ? { record: result.value } : { error: result.error })
    })
    return () => {
      current = false
    }
  }, [api, handle, sequence])

  if (loaded === null) return <p className="muted">Reading the stored record…</p>
  if ('error' in loaded) {
    return <p className="error-text">Could not read the stored record: {loaded.error.message}</p>
  }
  const { record } = loaded
  const bytes = record.hex.length / 2
  return (
    <div className="raw-record">
      <p>
        {record.checksum_ok ? (
          <StatusBadge tone="ok" label="Checksum verified" />
        ) : (
          <StatusBadge tone="bad" label="Checksum mismatch" />
        )}{' '}
        <span className="muted">
          {record.segment} at byte {record.offset} · {formatBytes(bytes)}
        </span>
      </p>
      <p className="mono muted raw-record__digest" title="SHA-256 of the event">
        {record.sha256}
      </p>
      <button type="button" aria-expanded={showHex} onClick={() => setShowHex(!showHex)}>
        {showHex ? 'Hide raw bytes' : 'Show raw bytes'}
      </button>
      {showHex && <HexDump hex={record.hex} />}
    </div>
  )
}

function HexDump({ hex }: { hex: string }) {
  const shownHex = hex.slice(0, HEX_BYTES_SHOWN_MAX * 2)
  const lines: string[] = []
  for (let at = 0; at < shownHex.length; at += HEX_ROW_BYTES * 2) {
    const offset = (at / 2).toString(16).padStart(8, '0')
    const pairs = shownHex.slice(at, at + HEX_ROW_BYTES * 2).match(/../g) ?? []
    lines.push(`${offset}  ${pairs.join(' ')}`)
  }
  return (
    <>
      <pre className="raw-record__hex" aria-label="Raw bytes">
        {lines.join('\n')}
      </pre>
      {shownHex.length < hex.length && (
        <p className="muted">
          Showing the first {formatBytes(HEX_BYTES_SHOWN_MAX)} of {formatBytes(hex.length / 2)}.
        </p>
      )}
    </>
  )
}
