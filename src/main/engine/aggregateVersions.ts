import { StoreError, ValidationError } from './errors'
import { AGGREGATE_VERSIONS_TRACKED_MAX, EXPECTED_VERSIONS_MAX, ID_FIELD_CHARS_MAX } from './limits'

/** Per aggregate: how many events it must have now, or 'no_stream' for none. */
export type ExpectedVersions = Record<string, number | 'no_stream'>

/**
 * AggregateVersions answers optimistic concurrency checks: how many events an aggregate
 * has, counting appends already queued. An aggregate is counted from the log the first
 * time someone asks (up to the last sequence handed out, once that is durable) and then
 * kept current by every submit, so a check and the submit after it see the same number.
 */
export class AggregateVersions {
  private readonly versions = new Map<string, number>()
  /** Aggregates being counted, with the appends submitted while the count runs. */
  private readonly counting = new Map<string, { added: number; done: Promise<void> }>()

  constructor(
    private readonly countStored: (
      aggregates: Set<string>,
      throughSequence: number,
    ) => Promise<Map<string, number>>,
    private readonly lastAssigned: () => { sequence: number; durable: Promise<void> },
  ) {}

  /** prepare makes sure every named aggregate's version is known. */
  async prepare(aggregates: string[]): Promise<void> {
    const missing = aggregates.filter((a) => !this.versions.has(a) && !this.counting.has(a))
    if (missing.length > 0) {
      const through = this.lastAssigned()
      const run = (async () => {
        await through.durable
        const counts = await this.countStored(new Set(missing), through.sequence)
        for (const aggregate of missing) {
          const added = this.counting.get(aggregate)?.added ?? 0
          this.versions.set(aggregate, (counts.get(aggregate) ?? 0) + added)
          this.counting.delete(aggregate)
        }
      })()
      for (const aggregate of missing) this.counting.set(aggregate, { added: 0, done: run })
      run.catch(() => missing.forEach((aggregate) => this.counting.delete(aggregate)))
    }
    const pending = aggregates.flatMap((a) => this.counting.get(a)?.done ?? [])
    await Promise.all(pending)
    this.evict(new Set(aggregates))
  }

  /** check throws `version_conflict` unless every expectation holds; call right before submit. */
  check(expected: ExpectedVersions): void {
    for (const [aggregate, wanted] of Object.entries(expected)) {
      const version = this.versions.get(aggregate)
      if (version === undefined)
        throw new StoreError('internal', `version of ${aggregate} was not prepared`)
      const matches = wanted === 'no_stream' ? version === 0 : version === wanted
      if (!matches) {
        const want = wanted === 'no_stream' ? 'no events (no_stream)' : `${wanted} events`
        throw new StoreError(
          'version_conflict',
          `Aggregate ${aggregate} has ${version} events, but the append expected ${want}. Nothing was stored; read the aggregate again and retry.`,
        )
      }
    }
  }

  /** submitted counts appends the moment they take their sequences. */
  submitted(aggregateIds: readonly string[]): void {
    for (const aggregate of aggregateIds) {
      const version = this.versions.get(aggregate)
      if (version !== undefined) this.versions.set(aggregate, version + 1)
      else {
        const counting = this.counting.get(aggregate)
        if (counting) counting.added++
      }
    }
  }

  private evict(keep: Set<string>): void {
    for (const aggregate of this.versions.keys()) {
      if (this.versions.size <= AGGREGATE_VERSIONS_TRACKED_MAX) return
      if (!keep.has(aggregate)) this.versions.delete(aggregate)
    }
  }
}

/** validateExpectedVersions checks the shape of an expected_versions argument. */
export function validateExpectedVersions(value: unknown): ExpectedVersions | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(
      'expected_versions',
      'must be an object of aggregate_id -> number or "no_stream"',
    )
  }
  const entries = Object.entries(value)
  if (entries.length > EXPECTED_VERSIONS_MAX) {
    throw new ValidationError(
      'expected_versions',
      `names ${entries.length} aggregates, over the limit of ${EXPECTED_VERSIONS_MAX} (EXPECTED_VERSIONS_MAX)`,
    )
  }
  for (const [aggregate, version] of entries) {
    if (aggregate.length === 0 || aggregate.length > ID_FIELD_CHARS_MAX) {
      throw new ValidationError(
        'expected_versions',
        `names an aggregate id that is empty or over ${ID_FIELD_CHARS_MAX} characters`,
      )
    }
    if (
      version !== 'no_stream' &&
      (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0)
    ) {
      throw new ValidationError(
        `expected_versions.${aggregate}`,
        'must be a whole number of 0 or more, or "no_stream"',
      )
    }
  }
  return value as ExpectedVersions
}
