import { useState } from 'react'
import type { JsonValue } from '../../../shared/event'
import './jsonTree.css'

/** Children listed per object or array before a "Show all" button; keeps huge arrays cheap. */
export const JSON_CHILDREN_SHOWN = 200
/** Levels open at first; deeper ones start collapsed. */
const DEPTH_OPEN = 2

export interface JsonTreeProps {
  /** The accessible name of the tree, e.g. "Data". */
  label: string
  value: JsonValue
}

/**
 * JsonTree shows a JSON value as nested collapsible lists (<details>, so expanding works by
 * keyboard and is announced without any script of ours). Values are shown in full.
 */
export function JsonTree({ label, value }: JsonTreeProps) {
  return (
    <div className="json-tree mono" role="group" aria-label={label}>
      <JsonNode name={null} value={value} depth={0} />
    </div>
  )
}

interface JsonNodeProps {
  name: string | null
  value: JsonValue
  depth: number
}

function JsonNode({ name, value, depth }: JsonNodeProps) {
  const key = name === null ? null : <span className="json-tree__key">{name}: </span>
  if (value === null || typeof value !== 'object') {
    return (
      <div className="json-tree__leaf">
        {key}
        <span className={`json-tree__${value === null ? 'null' : typeof value}`}>
          {JSON.stringify(value)}
        </span>
      </div>
    )
  }
  const entries: [string, JsonValue][] = Array.isArray(value)
    ? value.map((item, index) => [String(index), item])
    : Object.entries(value)
  const brackets = Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`
  return (
    <details open={depth < DEPTH_OPEN}>
      <summary>
        {key}
        <span className="muted">{brackets}</span>
      </summary>
      <JsonChildren entries={entries} depth={depth + 1} />
    </details>
  )
}

function JsonChildren({ entries, depth }: { entries: [string, JsonValue][]; depth: number }) {
  const [showAll, setShowAll] = useState(false)
  const shown = showAll ? entries : entries.slice(0, JSON_CHILDREN_SHOWN)
  return (
    <div className="json-tree__children">
      {shown.map(([name, child]) => (
        <JsonNode key={name} name={name} value={child} depth={depth} />
      ))}
      {shown.length < entries.length && (
        <button type="button" onClick={() => setShowAll(true)}>
          Show all {entries.length}
        </button>
      )}
    </div>
  )
}
