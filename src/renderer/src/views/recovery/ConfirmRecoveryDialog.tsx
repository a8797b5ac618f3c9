import { useEffect, useId, useRef, type KeyboardEvent } from 'react'

export interface ConfirmRecoveryDialogProps {
  onConfirm: () => void
  onCancel: () => void
}

/**
 * ConfirmRecoveryDialog says exactly what recovery will do before it runs. Focus starts on
 * Cancel, the safe choice, and Escape cancels.
 */
export function ConfirmRecoveryDialog({ onConfirm, onCancel }: ConfirmRecoveryDialogProps) {
  const id = useId()
  const cancelRef = useRef<HTMLButtonElement>(null)
  useEffect(() => cancelRef.current?.focus(), [])
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') onCancel()
  }
  return (
    <div className="dialog-backdrop">
      <div
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-body`}
        className="dialog"
        onKeyDown={onKeyDown}
      >
        <h3 id={`${id}-title`}>Run recovery?</h3>
        <div id={`${id}-body`}>
          <p>The store is closed, repaired and reopened. Recovery will:</p>
          <ul>
            <li>
              cut a torn record at the tail of the newest segment, copying its bytes aside first;
            </li>
            <li>
              quarantine everything after the first damage: moved aside and kept, never deleted;
            </li>
            <li>rebuild the manifests and indexes from the log.</li>
          </ul>
          <p>Reads and appends pause while it runs; the report lists every action taken.</p>
        </div>
        <div className="dialog__actions">
          <button type="button" ref={cancelRef} onClick={onCancel}>
            Cancel
          </button>
          <button type="button" className="primary" onClick={onConfirm}>
            Run recovery
          </button>
        </div>
      </div>
    </div>
  )
}
