import { useState } from 'react'
import type { StoreAccess } from '../../../../shared/storeApi'

export interface OpenStoreFormProps {
  busy: boolean
  onOpen: (path: string, access: StoreAccess) => void
  onCreate: (path: string) => void
}

/**
 * OpenStoreForm takes a folder path typed or pasted in: a browser page has no folder
 * picker, and in Electron the native menu's Open Store… offers one.
 */
export function OpenStoreForm({ busy, onOpen, onCreate }: OpenStoreFormProps) {
  const [path, setPath] = useState('')
  const trimmed = path.trim()
  const disabled = busy || trimmed === ''
  return (
    <form
      className="open-store-form"
      onSubmit={(event) => {
        event.preventDefault()
        if (!disabled) onOpen(trimmed, 'write')
      }}
    >
      <label htmlFor="store-path">Store folder</label>
      <input
        id="store-path"
        data-shortcut-target="open"
        className="mono"
        placeholder="/path/to/store"
        value={path}
        onChange={(event) => setPath(event.target.value)}
      />
      <button type="submit" className="primary" disabled={disabled}>
        Open
      </button>
      <button type="button" disabled={disabled} onClick={() => onOpen(trimmed, 'follow')}>
        Open read-only
      </button>
      <button type="button" disabled={disabled} onClick={() => onCreate(trimmed)}>
        Create store
      </button>
    </form>
  )
}
