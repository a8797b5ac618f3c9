import { useId, useState, type ClipboardEvent, type KeyboardEvent } from 'react'

export interface TokenListInputProps {
  label: string
  tokens: readonly string[]
  onChange: (tokens: string[]) => void
  placeholder?: string
}

/**
 * TokenListInput edits an "any of" list: Enter, comma or leaving the field adds what was
 * typed (so a value typed just before Run is not lost), pasting "a, b" adds both,
 * Backspace in an empty field removes the last token.
 */
export function TokenListInput({ label, tokens, onChange, placeholder }: TokenListInputProps) {
  const inputId = useId()
  const [draft, setDraft] = useState('')

  const add = (text: string) => {
    const added = text
      .split(',')
      .map((token) => token.trim())
      .filter((token) => token !== '' && !tokens.includes(token))
    if (added.length > 0) onChange([...tokens, ...new Set(added)])
    setDraft('')
  }

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter' || event.key === ',') {
      // Enter would otherwise submit the form with the token still in the box.
      event.preventDefault()
      add(draft)
    } else if (event.key === 'Backspace' && draft === '' && tokens.length > 0) {
      onChange(tokens.slice(0, -1))
    }
  }

  const onPaste = (event: ClipboardEvent<HTMLInputElement>) => {
    const text = event.clipboardData.getData('text')
    if (!text.includes(',')) return
    event.preventDefault()
    add(draft + text)
  }

  return (
    <div className="token-list">
      <label htmlFor={inputId}>{label}</label>
      <div className="token-list__box">
        {tokens.length > 0 && (
          <ul className="token-list__tokens" aria-label={`${label} chosen`}>
            {tokens.map((token) => (
              <li key={token} className="token-list__token">
                <span className="mono">{token}</span>
                <button
                  type="button"
                  aria-label={`Remove ${token} from ${label.toLowerCase()}`}
                  onClick={() => onChange(tokens.filter((kept) => kept !== token))}
                >
                  ×
                </button>
              </li>
            ))}
          </ul>
        )}
        <input
          id={inputId}
          value={draft}
          placeholder={placeholder ?? 'Type and press Enter'}
          onChange={(event) => setDraft(event.target.value)}
          onKeyDown={onKeyDown}
          onPaste={onPaste}
          onBlur={() => add(draft)}
        />
      </div>
    </div>
  )
}
