import { useId } from 'react'

export interface TextFieldProps {
  label: string
  value: string
  onChange: (value: string) => void
  /** A sentence saying what is wrong; marks the field invalid and is read with it. */
  error?: string
  /** Always-visible help, e.g. that a bound is exclusive. */
  hint?: string
  multiline?: boolean
  placeholder?: string
  inputMode?: 'numeric' | 'text'
}

/** TextField is a labelled input (or textarea) with its hint and inline error tied to it. */
export function TextField(props: TextFieldProps) {
  const { label, value, onChange, error, hint, multiline, placeholder, inputMode } = props
  const id = useId()
  const describedBy = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ')
  const common = {
    id,
    value,
    placeholder,
    'aria-invalid': error !== undefined,
    'aria-describedby': describedBy || undefined,
  }
  return (
    <div className="text-field">
      <label htmlFor={id}>{label}</label>
      {multiline ? (
        <textarea
          {...common}
          rows={3}
          spellCheck={false}
          className="mono"
          onChange={(event) => onChange(event.target.value)}
        />
      ) : (
        <input
          {...common}
          inputMode={inputMode}
          onChange={(event) => onChange(event.target.value)}
        />
      )}
      {hint && (
        <span id={`${id}-hint`} className="text-field__hint muted">
          {hint}
        </span>
      )}
      {error && (
        <span id={`${id}-error`} className="text-field__error error-text">
          {error}
        </span>
      )}
    </div>
  )
}
