/**
 * Realistic fixture data for the view tests: a store with three segments (one corrupt),
 * a query page, recovery reports, an SLA snapshot with history, and a health report.
 * Times are fixed so tests are deterministic.
 */
import type { QueriedEvent, QueryResult } from '../../../src/shared/query'
import type { RecoveryReport } from '../../../src/shared/report'
import type {
  DetailedHealth,
  LatencyPoint,
  LatencySeries,
  LatencySummary,
  LatencyWindow,
  SlaHistory,
  SlaSnapshot,
  SlaThresholds,
} from '../../../src/shared/sla'
import { LATENCY_SERIES } from '../../../src/shared/sla'
import type { JobInfo, RecoveryReportEntry, SegmentInfo } from '../../../src/shared/storeApi'
import type { VerificationProgress } from '../../../src/shared/verification'

/** The instant every fixture is "now": 2026-11-27T12:00:00.000Z. */
export const NOW_MS = Date.UTC(2026, 10, 27, 12, 0, 0)
export const iso = (ms: number) => new Date(ms).toISOString()
const MINUTE = 60_000

export function queriedEvent(sequence: number, overrides: Partial<QueriedEvent> = {}) {
  return {
    event_id: `${(NOW_MS + sequence) * 1_000_000}_${sequence}_node-a`,
    sequence,
    event_type: 'command_executed',
    aggregate_id: `robot-${sequence % 3}`,
    aggregate_type: 'robot',
    timestamp: iso(NOW_MS - (1000 - sequence) * 1000),
    correlation_id: 'corr-7',
    causation_id: sequence > 1 ? `cause-${sequence - 1}` : null,
    data: { command: 'move', speed: 1.5 },
    metadata: { user: 'ops' },
    source_agent: 'agent-1',
    source_component: 'scheduler',
    schema_version: 1,
    ...overrides,
  } satisfies QueriedEvent
}

export function queryResult(overrides: Partial<QueryResult> = {}): QueryResult {
  return {
    events: [queriedEvent(101), queriedEvent(102)],
    total_count: 250,
    has_more: true,
    next_cursor: 'cursor-after-102',
    execution_time_ms: 12.5,
    plan: {
      segments_total: 3,
      segments_read: 1,
      segments_skipped: [
        { name: '00000000000000000001.seg.gz', reason: 'sequence range' },
        { name: '00000000000000050001.seg', reason: 'time range' },
      ],
      events_scanned: 4_321,
      index_used: ['event_type', 'correlation_id'],
    },
    ...overrides,
  }
}

export const SEGMENTS: SegmentInfo[] = [
  {
    name: '00000000000000000001.seg.gz',
    active: false,
    compressed: true,
    bytes: 31_457_280,
    records: 50_000,
    first_sequence: 1,
    last_sequence: 50_000,
    first_timestamp: '2026-11-26T08:00:00.000Z',
    last_timestamp: '2026-11-27T08:00:00.000Z',
    checksum: 'ok',
    problems: [],
    last_verified_at: '2026-11-27T09:15:00.000Z',
  },
  {
    name: '00000000000000050001.seg.gz',
    active: false,
    compressed: true,
    bytes: 29_360_128,
    records: 48_200,
    first_sequence: 50_001,
    last_sequence: 98_200,
    first_timestamp: '2026-11-27T08:00:00.000Z',
    last_timestamp: '2026-11-27T11:00:00.000Z',
    checksum: 'corrupt',
    problems: [{ offset: 1_048_576, reason: 'record checksum mismatch' }],
    last_verified_at: '2026-11-27T11:30:00.000Z',
  },
  {
    name: '00000000000000098201.seg',
    active: true,
    compressed: false,
    bytes: 4_194_304,
    records: 1_800,
    first_sequence: 98_201,
    last_sequence: 100_000,
    first_timestamp: '2026-11-27T11:00:00.000Z',
    last_timestamp: '2026-11-27T11:59:59.000Z',
    checksum: 'unverified',
    problems: [],
    last_verified_at: null,
  },
]

/** A verify job half way: the first file done, the second being read. */
export function verifyJob(overrides: Partial<JobInfo> = {}): JobInfo {
  const [first, second, third] = SEGMENTS as [SegmentInfo, SegmentInfo, SegmentInfo]
  const progress: VerificationProgress = {
    files_done: 1,
    files_total: 3,
    bytes_done: 41_943_040,
    bytes_total: 65_011_712,
    raw_bytes_done: 104_857_600,
    records: 50_000,
    elapsed_ms: 4_000,
    bytes_per_second: 10_485_760,
    finished: false,
    files: [
      { ...first, status: 'ok', bytes: first.bytes, bytes_done: first.bytes, thread_id: 2 },
      { ...second, status: 'verifying', bytes: second.bytes, bytes_done: 10_485_760, thread_id: 3 },
      { ...third, status: 'unverified', bytes: third.bytes, bytes_done: 0, thread_id: null },
    ],
  }
  return {
    job_id: 'job-verify-1',
    handle: 'store-1',
    kind: 'verify',
    state: 'running',
    started_at: iso(NOW_MS - 4_000),
    finished_at: null,
    progress,
    report: null,
    error: null,
    ...overrides,
  }
}

export const REPORT_ENTRIES: RecoveryReportEntry[] = [
  {
    id: 'rep-2',
    started_at: '2026-11-27T11:40:00.000Z',
    finished_at: '2026-11-27T11:40:02.350Z',
    ok: true,
    trigger: 'manual',
    actions: 3,
    problems: 0,
  },
  {
    id: 'rep-1',
    started_at: '2026-11-27T08:00:00.000Z',
    finished_at: '2026-11-27T08:00:00.120Z',
    ok: false,
    trigger: 'open',
    actions: 1,
    problems: 1,
  },
]

export const MANUAL_REPORT: RecoveryReport = {
  ok: true,
  started_at: '2026-11-27T11:40:00.000Z',
  finished_at: '2026-11-27T11:40:02.350Z',
  mode: 'writable',
  actions: [
    {
      kind: 'truncated',
      file: '00000000000000098201.seg',
      offset: 4_194_000,
      bytes: 304,
      reason: 'torn record at the tail',
      saved_as: 'recovery/2026-11-27T11-40-00/00000000000000098201.tail',
    },
    {
      kind: 'quarantined',
      file: '00000000000000050001.seg.gz',
      offset: 1_048_576,
      bytes: 28_311_552,
      reason: 'record checksum mismatch',
      saved_as: 'quarantine/00000000000000050001.seg.gz',
    },
    {
      kind: 'index_rebuilt',
      file: 'index/event_type.idx',
      offset: null,
      bytes: 0,
      reason: 'derived from the log',
    },
  ],
  problems: [],
}

export const OPEN_REPORT: RecoveryReport = {
  ok: false,
  started_at: '2026-11-27T08:00:00.000Z',
  finished_at: '2026-11-27T08:00:00.120Z',
  mode: 'needs_recovery',
  actions: [
    {
      kind: 'truncated',
      file: '00000000000000050001.seg',
      offset: 2_000,
      bytes: 17,
      reason: 'torn record at the tail',
    },
  ],
  problems: [
    { file: '00000000000000050001.seg.gz', offset: 1_048_576, reason: 'record checksum mismatch' },
  ],
}

export const THRESHOLDS: SlaThresholds = {
  targets: {
    append_p50: 2,
    append_p95: 5,
    append_p99: 10,
    append_p999: 100,
    batch_append_p99: 50,
    query_by_id_p99: 1,
    range_query_p99: 100,
    delivery_p99: 100,
  },
  triggers: {
    append_p99_ms: { warning: 100, emergency: 1000 },
    append_error_rate: { warning: 0.01, emergency: 0.05 },
    disk_usage: { warning: 0.8, emergency: 0.9 },
    memory_usage: { warning: 0.9, emergency: 0.95 },
    append_backlog: { warning: 1000, emergency: 10000 },
  },
  disk_block: 0.95,
  disk_unblock: 0.9,
  hold_ms: 30_000,
  clear_ms: 60_000,
  memory_limit_bytes: null,
}

function summary(p50: number): LatencySummary {
  return {
    count: 600,
    min: p50 / 2,
    max: p50 * 40,
    p50,
    p95: p50 * 3,
    p99: p50 * 6,
    p999: p50 * 20,
  }
}

export function slaSnapshot(overrides: Partial<SlaSnapshot> = {}): SlaSnapshot {
  const latency = Object.fromEntries(
    LATENCY_SERIES.map((series) => [
      series,
      { '10s': summary(900), '1m': summary(1_000), '5m': summary(950) } satisfies Record<
        LatencyWindow,
        LatencySummary
      >,
    ]),
  ) as Record<LatencySeries, Record<LatencyWindow, LatencySummary>>
  return {
    level: 'WARNING',
    since: iso(NOW_MS - 10 * MINUTE),
    reason: 'append p99 over 100 ms',
    checked_at: iso(NOW_MS),
    thresholds: THRESHOLDS,
    latency,
    throughput: { events_per_second_10s: 2_400, events_per_second_1m: 2_250 },
    compliance: [
      {
        id: 'append_p50',
        series: 'append',
        percentile: 'p50',
        window: '1m',
        threshold_ms: 2,
        observed_ms: 1,
        ok: true,
      },
      {
        id: 'append_p99',
        series: 'append',
        percentile: 'p99',
        window: '1m',
        threshold_ms: 10,
        observed_ms: 14.2,
        ok: false,
      },
      {
        id: 'query_by_id_p99',
        series: 'query_by_id',
        percentile: 'p99',
        window: '1m',
        threshold_ms: 1,
        observed_ms: null,
        ok: null,
      },
    ],
    triggers: [],
    violations: [
      {
        metric: 'append_p99',
        window: '1m',
        observed: 14.2,
        threshold: 10,
        started_at: iso(NOW_MS - 3 * MINUTE),
        ended_at: null,
      },
    ],
    write_block: null,
    recovery: null,
    ...overrides,
  }
}

/** History points every minute over the last 2 hours; latency varies in a cycle of five. */
export function slaHistory(): SlaHistory {
  const pointMs = MINUTE
  const starts: number[] = []
  for (let start = NOW_MS - 2 * 60 * MINUTE; start < NOW_MS; start += pointMs) starts.push(start)
  const points = (base: number): LatencyPoint[] =>
    starts.map((start_ms, index) => ({ start_ms, ...summary(base + (index % 5) * 100) }))
  const latency = Object.fromEntries(
    LATENCY_SERIES.map((series) => [series, points(series === 'fsync' ? 400 : 1_000)]),
  ) as Record<LatencySeries, LatencyPoint[]>
  return {
    point_ms: pointMs,
    latency,
    throughput: starts.map((start_ms) => ({ start_ms, events: 24_000 })),
    transitions: [
      {
        from: 'NORMAL',
        to: 'WARNING',
        at: iso(NOW_MS - 90 * MINUTE),
        reason: 'disk 81%',
        figures: { disk_usage: 0.81 },
      },
      {
        from: 'WARNING',
        to: 'NORMAL',
        at: iso(NOW_MS - 60 * MINUTE),
        reason: 'cleared',
        figures: {},
      },
      {
        from: 'NORMAL',
        to: 'WARNING',
        at: iso(NOW_MS - 10 * MINUTE),
        reason: 'append p99 over 100 ms',
        figures: { append_p99_ms: 140 },
      },
    ],
  }
}

export const HEALTH: DetailedHealth = {
  status: 'degraded',
  current_sequence: 100_000,
  events_per_second: 2_400,
  disk_usage_bytes: 65_011_712,
  disk_free_bytes: 21_474_836_480,
  log_file_count: 3,
  average_append_latency_ms: 1.2,
  average_query_latency_ms: 3.4,
  append_error_rate: 0.0123,
  query_error_rate: 0,
  checked_at: iso(NOW_MS),
  mode: 'writable',
  sla_level: 'WARNING',
  resources: {
    disk_total_bytes: 107_374_182_400,
    disk_free_bytes: 21_474_836_480,
    disk_usage: 0.8,
    store_bytes: 65_011_712,
    rss_bytes: 209_715_200,
    heap_used_bytes: 62_914_560,
    heap_total_bytes: 104_857_600,
    memory_total_bytes: 8_589_934_592,
    memory_usage: 0.0244,
    open_fds: 48,
    fd_limit: 1024,
  },
  append_queue: { events: 250, bytes: 131_072, events_max: 10_000, bytes_max: 67_108_864 },
  components: [
    { name: 'storage', status: 'healthy', detail: '3 segments, last fsync 2 ms ago' },
    { name: 'disk', status: 'degraded', detail: 'usage 80.0% is at the warning threshold' },
    { name: 'append', status: 'healthy', detail: 'error rate 1.23%' },
  ],
}
