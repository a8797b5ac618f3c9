import type { FormEvent } from 'react'
import { TextField } from './TextField'
import { TokenListInput } from './TokenListInput'
import {
  ID_FIELDS,
  JSON_FIELDS,
  RANGE_FIELDS,
  TOKEN_FIELDS,
  type QueryForm,
  type QueryFormErrors,
} from './queryForm'

export interface QueryFilterFormProps {
  form: QueryForm
  errors: QueryFormErrors
  onChange: (form: QueryForm) => void
  onRun: () => void
  onReset: () => void
  running: boolean
}

/** QueryFilterForm is the filter builder: every EventQuery field, with inline errors. */
export function QueryFilterForm({
  form,
  errors,
  onChange,
  onRun,
  onReset,
  running,
}: QueryFilterFormProps) {
  const set = <K extends keyof QueryForm>(key: K, value: QueryForm[K]) =>
    onChange({ ...form, [key]: value })
  const invalid = Object.keys(errors).length > 0
  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (!invalid && !running) onRun()
  }

  return (
    <form className="query-form" aria-label="Query filter" onSubmit={submit} noValidate>
      <fieldset className="query-form__group">
        <legend>Match any of</legend>
        {TOKEN_FIELDS.map(({ key, label }) => (
          <TokenListInput
            key={key}
            label={label}
            tokens={form[key]}
            onChange={(tokens) => set(key, tokens)}
          />
        ))}
        {ID_FIELDS.map(({ key, label }) => (
          <TextField key={key} label={label} value={form[key]} onChange={(v) => set(key, v)} />
        ))}
      </fieldset>

      <fieldset className="query-form__group">
        <legend>Ranges (bounds are exclusive)</legend>
        {RANGE_FIELDS.map(({ key, ...field }) => (
          <TextField
            key={key}
            {...field}
            value={form[key]}
            error={errors[key]}
            onChange={(v) => set(key, v)}
          />
        ))}
      </fieldset>

      <fieldset className="query-form__group">
        <legend>Payload (deep subset match)</legend>
        {JSON_FIELDS.map(({ key, label }) => (
          <TextField
            key={key}
            label={`${label} (JSON)`}
            multiline
            placeholder='{"status": "ok"}'
            value={form[key]}
            error={errors[key]}
            onChange={(v) => set(key, v)}
          />
        ))}
      </fieldset>

      <fieldset className="query-form__group">
        <legend>Results</legend>
        <label>
          Order by{' '}
          <select
            value={form.order_by}
            onChange={(event) => set('order_by', event.target.value as QueryForm['order_by'])}
          >
            <option value="sequence">Sequence</option>
            <option value="timestamp">Time</option>
          </select>
        </label>
        <label>
          Direction{' '}
          <select
            value={form.order}
            onChange={(event) => set('order', event.target.value as QueryForm['order'])}
          >
            <option value="asc">Ascending (oldest first)</option>
            <option value="desc">Descending (newest first)</option>
          </select>
        </label>
        <TextField
          label="Page size"
          inputMode="numeric"
          value={form.limit}
          error={errors.limit}
          onChange={(v) => set('limit', v)}
        />
        <label>
          <input
            type="checkbox"
            checked={form.include_data}
            onChange={(event) => set('include_data', event.target.checked)}
          />{' '}
          Include data
        </label>
        <label>
          <input
            type="checkbox"
            checked={form.include_metadata}
            onChange={(event) => set('include_metadata', event.target.checked)}
          />{' '}
          Include metadata
        </label>
      </fieldset>

      <div className="query-form__actions">
        <button type="submit" className="primary" disabled={invalid || running}>
          {running ? 'Running…' : 'Run'}
        </button>
        <button type="button" onClick={onReset}>
          Clear filter
        </button>
        {invalid && <span className="error-text">Fix the marked fields to run the query.</span>}
      </div>
    </form>
  )
}
