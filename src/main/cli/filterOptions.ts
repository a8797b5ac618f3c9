import type { EventFilter } from '../../shared/query'
import { integerOption } from './args'
import { UsageError } from './cliIo'

/** The filter options shared by `query` and `tail`. */
export const FILTER_OPTIONS = {
  type: { type: 'string', multiple: true },
  aggregate: { type: 'string', multiple: true },
  'aggregate-type': { type: 'string', multiple: true },
  source: { type: 'string', multiple: true },
  component: { type: 'string', multiple: true },
  correlation: { type: 'string' },
  causation: { type: 'string' },
  'after-seq': { type: 'string' },
  'before-seq': { type: 'string' },
  'after-time': { type: 'string' },
  'before-time': { type: 'string' },
  'data-contains': { type: 'string' },
  'metadata-contains': { type: 'string' },
} as const

type FilterValues = {
  [K in keyof typeof FILTER_OPTIONS]?: (typeof FILTER_OPTIONS)[K] extends { multiple: true }
    ? string[]
    : string
}

/** filterFromOptions turns parsed options into a filter; the engine validates the values. */
export function filterFromOptions(values: FilterValues): EventFilter {
  return {
    event_types: values.type,
    aggregate_ids: values.aggregate,
    aggregate_types: values['aggregate-type'],
    source_agents: values.source,
    source_components: values.component,
    correlation_id: values.correlation,
    causation_id: values.causation,
    after_sequence: integerOption(values['after-seq'], 'after-seq'),
    before_sequence: integerOption(values['before-seq'], 'before-seq'),
    after_timestamp: values['after-time'],
    before_timestamp: values['before-time'],
    data_contains: jsonOption(values['data-contains'], 'data-contains'),
    metadata_contains: jsonOption(values['metadata-contains'], 'metadata-contains'),
  }
}

function jsonOption<T>(value: string | undefined, name: string): T | undefined {
  if (value === undefined) return undefined
  try {
    return JSON.parse(value) as T
  } catch {
    throw new UsageError(`--${name} must be JSON, e.g. '{"status":"ok"}'`)
  }
}
