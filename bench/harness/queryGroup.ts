import type { StoredEvent } from '../../src/shared/event'
import type { EventQuery } from '../../src/shared/query'
import { EventStore } from '../../src/main/engine/eventStore'
import { latencyFigures, median } from '../stats'
import { ENGINE } from './appendGroups'
import type { BenchResults } from './benchResults'
import type { HarnessOptions } from './harnessOptions'
import { interleave } from './interleave'
import type { Peers } from './peers'
import type { ReadStores } from './readStores'
import { SqliteEvents } from './sqliteEvents'
import { RawMemberReads } from './rawMemberReads'

export const GETS = 'get one event'
export const QUERIES = 'queries (first 1000 matches)'
export const SQLITE_INDEXED = 'SQLite, equivalent indexes'
export const RAW_MEMBER = 'raw floor: read + gunzip of one gzip member'
export const BY_ID = 'get by id'
export const BY_SEQUENCE = 'get by sequence'
export const TIME_RANGE = 'time range'
export const COMPLEX = 'complex filter over 10,000 events'
/** Each query runs this many times per repetition; the repetition's sample is their median. */
const QUERY_RUNS = 5

/** A QuerySpec is one query asked of both contenders: the engine's form and SQL's. */
interface QuerySpec {
  name: string
  engine: EventQuery
  sql: string
  params: unknown[]
}

const SELECT = 'SELECT * FROM events WHERE'
const PAGE = 'ORDER BY sequence LIMIT 1000'

/**
 * querySpecs are the queries. The time windows start mid-store: the range query's
 * holds 5,000 events, the complex filter's 10,000 (a quarter of a small store), in which it looks for
 * successful commands of four agents, with a condition inside `data`.
 */
function querySpecs(timestampOf: (sequence: number) => string, events: number): QuerySpec[] {
  const middle = Math.floor(events / 2)
  const window = Math.min(10_000, Math.floor(events / 4))
  const range = Math.min(5000, Math.floor(events / 4))
  const types = ['command_executed', 'command_failed']
  const agents = ['agent-atlas', 'agent-borealis', 'agent-cygnus', 'agent-draco']
  const from = timestampOf(middle)
  return [
    {
      name: 'first 1000 by aggregate',
      engine: { aggregate_ids: ['agent-atlas'], limit: 1000 },
      sql: `${SELECT} aggregate_id = ? ${PAGE}`,
      params: ['agent-atlas'],
    },
    {
      name: 'first 1000 by type',
      engine: { event_types: ['command_executed'], limit: 1000 },
      sql: `${SELECT} event_type = ? ${PAGE}`,
      params: ['command_executed'],
    },
    {
      name: TIME_RANGE,
      engine: { after_timestamp: from, before_timestamp: timestampOf(middle + range), limit: 1000 },
      sql: `${SELECT} timestamp > ? AND timestamp < ? ${PAGE}`,
      params: [from, timestampOf(middle + range)],
    },
    {
      name: COMPLEX,
      engine: {
        after_timestamp: from,
        before_timestamp: timestampOf(middle + window + 1),
        event_types: types,
        source_agents: agents,
        data_contains: { exit_code: 0 },
        limit: 1000,
      },
      sql:
        `${SELECT} timestamp > ? AND timestamp < ? AND event_type IN (?, ?) ` +
        `AND source_agent IN (?, ?, ?, ?) AND json_extract(data, '$.exit_code') = 0 ${PAGE}`,
      params: [from, timestampOf(middle + window + 1), ...types, ...agents],
    },
  ]
}

/** A Reader is one contender of the read group. */
interface Reader {
  bySequence(sequence: number): Promise<StoredEvent | null>
  byId(id: string): Promise<StoredEvent | null>
  query(spec: QuerySpec): Promise<StoredEvent[]>
}

function engineReader(store: EventStore): Reader {
  return {
    bySequence: (sequence) => store.getBySequence(sequence),
    byId: (id) => store.getEvent(id),
    query: async (spec) => (await store.query(spec.engine)).events as StoredEvent[],
  }
}

function sqliteReader(db: SqliteEvents): Reader {
  return {
    bySequence: async (sequence) => db.select(`${SELECT} sequence = ?`, sequence)[0] ?? null,
    byId: async (id) => db.select(`${SELECT} event_id = ?`, id)[0] ?? null,
    query: async (spec) => db.select(spec.sql, ...spec.params),
  }
}

/** seededSequences picks `count` sequences in 1..events, the same ones every run. */
function seededSequences(count: number, events: number): number[] {
  let state = 12345
  return Array.from({ length: count }, () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0
    return 1 + (state % events)
  })
}

/**
 * queryGroup compares point reads and indexed queries of the engine with SQLite holding the
 * same events and equivalent indexes. Both must give the same answers, or the group fails.
 */
export async function queryGroup(
  options: HarnessOptions,
  peers: Peers,
  stores: ReadStores,
  results: BenchResults,
): Promise<void> {
  const store = await EventStore.open(stores.engineDir, { access: 'read' })
  const db = new SqliteEvents(peers.openSqlite(stores.sqlitePath))
  const raw = RawMemberReads.open(stores.engineDir)
  try {
    const sequences = seededSequences(options.gets, stores.events)
    const timestampOf = (sequence: number) =>
      db.select(`${SELECT} sequence = ?`, sequence)[0]!.timestamp
    const ids = sequences.map(
      (sequence) => db.select(`${SELECT} sequence = ?`, sequence)[0]!.event_id,
    )
    const specs = querySpecs(timestampOf, stores.events)
    const answers = new Map<string, string>()
    const trial = (contender: string, reader: Reader) => ({
      contender,
      run: async () => {
        for (const [metric, keys, get] of [
          [BY_SEQUENCE, sequences, (k: number | string) => reader.bySequence(k as number)],
          [BY_ID, ids, (k: number | string) => reader.byId(k as string)],
        ] as const) {
          const latencies: number[] = []
          const started = performance.now()
          for (const key of keys) {
            const t = performance.now()
            if ((await get(key)) === null) throw new Error(`${contender}: ${metric} ${key} missing`)
            latencies.push(performance.now() - t)
          }
          const seconds = (performance.now() - started) / 1000
          const figures = latencyFigures(latencies)
          const at = { group: GETS, contender }
          results.add({ ...at, metric: `${metric} rate`, unit: 'reads/s' }, keys.length / seconds)
          for (const [p, value] of [
            ['p50', figures.p50Ms],
            ['p99', figures.p99Ms],
          ] as const) {
            results.add({ ...at, metric: `${metric} ${p}`, unit: 'ms', better: 'lower' }, value)
          }
        }
        for (const spec of specs) {
          const times: number[] = []
          let answer: StoredEvent[] = []
          for (let run = 0; run < QUERY_RUNS; run++) {
            const started = performance.now()
            answer = await reader.query(spec)
            times.push(performance.now() - started)
          }
          checkSameAnswer(answers, spec.name, contender, answer)
          const at = { group: QUERIES, contender, metric: spec.name }
          results.add({ ...at, unit: 'ms', better: 'lower' }, median(times))
        }
      },
    })
    // The floor reads as many members as the engine's gets, keyed by the same sequences.
    const floor = {
      contender: RAW_MEMBER,
      run: async () => {
        const latencies: number[] = []
        for (const sequence of sequences) {
          const t = performance.now()
          await raw.readOne(sequence)
          latencies.push(performance.now() - t)
        }
        const figures = latencyFigures(latencies)
        const at = { group: GETS, contender: RAW_MEMBER, unit: 'ms', better: 'lower' } as const
        results.add({ ...at, metric: `${BY_SEQUENCE} p50` }, figures.p50Ms)
        results.add({ ...at, metric: `${BY_SEQUENCE} p99` }, figures.p99Ms)
      },
    }
    await interleave(
      [trial(ENGINE, engineReader(store)), trial(SQLITE_INDEXED, sqliteReader(db)), floor],
      options.rounds,
    )
    const counts = specs.map((s) => `${s.name}: ${answers.get(s.name)?.split(' ')[0]}`)
    results.notes.push(`Query matches returned (of at most 1000): ${counts.join('; ')}.`)
    results.notes.push(
      "The engine's query also counts every match (total_count); SQLite's LIMIT 1000 stops at the page.",
    )
  } finally {
    raw.close()
    db.close()
    await store.close()
  }
}

/** checkSameAnswer fails the group when two contenders return different events. */
function checkSameAnswer(
  answers: Map<string, string>,
  query: string,
  contender: string,
  events: StoredEvent[],
): void {
  const answer = `${events.length} ${events[0]?.event_id} ${events.at(-1)?.event_id}`
  const expected = answers.get(query)
  if (expected === undefined) answers.set(query, answer)
  else if (expected !== answer) {
    throw new Error(`${contender} answered "${query}" with ${answer}, expected ${expected}.`)
  }
}
