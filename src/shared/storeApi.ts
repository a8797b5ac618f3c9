/**
 * StoreApi is every call the UI makes, typed end to end. The host implements it; the
 * preload (Electron IPC) and the WebSocket client expose it to the renderer; the rpc
 * dispatcher checks each call against STORE_API_METHODS before it reaches the host.
 *
 * Every method takes one plain-object argument (or none) and resolves to a Result: a call
 * never rejects, so the UI switches on `error.code` and never parses messages.
 */
import type { ErrorBody } from './errorCodes'
import type { AppendResult, EventInput, StoredEvent } from './event'
import type { EventFilter, EventQuery, QueryResult } from './query'
import type { Problem, RecoveryReport, StoreMode } from './report'
import type {
  DetailedHealth,
  SlaHistory,
  SlaLevel,
  SlaSnapshot,
  SlaThresholds,
  SlaThresholdsPatch,
} from './sla'
import type { VerificationProgress, VerificationStatus } from './verification'

export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorBody }

/** StoreHandle names an open store; opaque, never a path the renderer could write to. */
export type StoreHandle = string

export type StoreAccess = 'write' | 'follow'

export interface RecentStore {
  path: string
  name: string
  /** null when the directory is gone or unreadable. */
  size_bytes: number | null
  last_opened_at: string
  exists: boolean
}

export interface StoreSummary {
  handle: StoreHandle
  /** For display only. */
  path: string
  name: string
  access: StoreAccess
  mode: StoreMode
  /** Why the store is not writable, when it is not. */
  reason: string | null
  sla_level: SlaLevel
  first_sequence: number | null
  last_sequence: number | null
  event_count: number
  bytes: number
  segments: number
  /** Events appended per second over the last 10 s. */
  append_rate: number
  is_demo: boolean
}

/** SegmentInfo is one row of the Files view. */
export interface SegmentInfo {
  name: string
  active: boolean
  compressed: boolean
  bytes: number
  records: number
  first_sequence: number | null
  last_sequence: number | null
  first_timestamp: string | null
  last_timestamp: string | null
  checksum: VerificationStatus
  problems: Problem[]
  last_verified_at: string | null
}

export type JobKind = 'verify' | 'recover' | 'rebuild_indexes'
export type JobState = 'running' | 'done' | 'failed' | 'cancelled'

/** IndexRebuildProgress counts the sealed segments a rebuild_indexes job has been through. */
export interface IndexRebuildProgress {
  segments_total: number
  segments_done: number
  /** Segments whose index was not rebuilt, and why (the sealed file differs from its manifest). */
  skipped: { name: string; reason: string }[]
}

export interface JobInfo {
  job_id: string
  handle: StoreHandle
  kind: JobKind
  state: JobState
  started_at: string
  finished_at: string | null
  /** Verification progress (verify jobs), updated while it runs. */
  progress: VerificationProgress | null
  /** The recovery report (recover jobs) once done. */
  report: RecoveryReport | null
  /** Index rebuild progress (rebuild_indexes jobs), updated while it runs. */
  index_rebuild?: IndexRebuildProgress
  error: ErrorBody | null
}

export interface RecoveryReportEntry {
  id: string
  started_at: string
  finished_at: string
  ok: boolean
  /** At open (a torn tail cut) or a manual `recover`. */
  trigger: 'open' | 'manual'
  actions: number
  problems: number
}

/** RawRecord is one stored record as bytes, for the event detail's hex view. */
export interface RawRecord {
  segment: string
  /** Byte offset in the uncompressed segment. */
  offset: number
  /** The whole record (header and payload), hex. */
  hex: string
  sha256: string
  checksum_ok: boolean
}

export type LoadShape = 'demo' | 'small' | 'large'

export interface LoadSettings {
  /** Events per second, 1..LOAD_RATE_MAX. */
  rate: number
  shape: LoadShape
}

export interface LoadStatus {
  running: boolean
  rate: number
  shape: LoadShape
  appended: number
  errors: number
  last_error: ErrorBody | null
  started_at: string | null
}

/** ServerStatus says whether the app serves a store over HTTP, and where. */
export interface ServerStatus {
  running: boolean
  url: string | null
  /** The single-use login URL for the browser UI; null once used or when not running. */
  login_url: string | null
  /** A fresh admin token, shown in the app only; null when not running. */
  token: string | null
  read_only: boolean
}

/**
 * StoreApiMethods maps each method to its argument and result. It is the single source
 * of the contract: StoreApi, the allow-list and the preload are derived from it.
 */
export interface StoreApiMethods {
  listRecent: { args: void; result: RecentStore[] }
  openStore: { args: { path: string; access: StoreAccess }; result: StoreSummary }
  createStore: { args: { path: string }; result: StoreSummary }
  openDemo: { args: void; result: StoreSummary }
  closeStore: { args: { handle: StoreHandle }; result: null }
  /** The stores open in this host (the served store, in browser mode). */
  listOpen: { args: void; result: StoreSummary[] }
  summary: { args: { handle: StoreHandle }; result: StoreSummary }
  query: { args: { handle: StoreHandle; query: EventQuery }; result: QueryResult }
  getEvent: {
    args: { handle: StoreHandle; event_id?: string; sequence?: number }
    result: StoredEvent
  }
  getRawRecord: { args: { handle: StoreHandle; sequence: number }; result: RawRecord }
  subscribe: {
    args: { handle: StoreHandle; filter: EventFilter; from_sequence?: number }
    result: { subscription_id: string }
  }
  unsubscribe: { args: { subscription_id: string }; result: null }
  listSegments: { args: { handle: StoreHandle }; result: SegmentInfo[] }
  startVerification: { args: { handle: StoreHandle; file?: string }; result: JobInfo }
  cancelJob: { args: { job_id: string }; result: JobInfo }
  getJob: { args: { job_id: string }; result: JobInfo }
  runRecovery: { args: { handle: StoreHandle }; result: JobInfo }
  /** Rebuilds every sealed segment's index from its log (a writer only). */
  rebuildIndexes: { args: { handle: StoreHandle }; result: JobInfo }
  listRecoveryReports: { args: { handle: StoreHandle }; result: RecoveryReportEntry[] }
  getRecoveryReport: { args: { handle: StoreHandle; id: string }; result: RecoveryReport }
  slaSnapshot: { args: { handle: StoreHandle }; result: SlaSnapshot }
  slaHistory: { args: { handle: StoreHandle }; result: SlaHistory }
  setSlaThresholds: {
    args: { handle: StoreHandle; patch: SlaThresholdsPatch }
    result: SlaThresholds
  }
  approveRecovery: { args: { handle: StoreHandle }; result: SlaSnapshot }
  health: { args: { handle: StoreHandle }; result: DetailedHealth }
  append: { args: { handle: StoreHandle; events: EventInput[] }; result: AppendResult[] }
  startLoad: { args: { handle: StoreHandle; settings: LoadSettings }; result: LoadStatus }
  stopLoad: { args: { handle: StoreHandle }; result: LoadStatus }
  /** Serves the open store over HTTP on 127.0.0.1 (desktop host only). */
  startServer: { args: { handle: StoreHandle; port?: number }; result: ServerStatus }
  stopServer: { args: { handle: StoreHandle }; result: ServerStatus }
  serverStatus: { args: { handle: StoreHandle }; result: ServerStatus }
}

export type StoreApiMethod = keyof StoreApiMethods

/** StoreApi is the callable form of StoreApiMethods. */
export type StoreApi = {
  [M in StoreApiMethod]: StoreApiMethods[M]['args'] extends void
    ? () => Promise<Result<StoreApiMethods[M]['result']>>
    : (args: StoreApiMethods[M]['args']) => Promise<Result<StoreApiMethods[M]['result']>>
}

/** The allow-list: exactly the keys of StoreApiMethods (checked by the type below). */
export const STORE_API_METHODS = [
  'listRecent',
  'openStore',
  'createStore',
  'openDemo',
  'closeStore',
  'listOpen',
  'summary',
  'query',
  'getEvent',
  'getRawRecord',
  'subscribe',
  'unsubscribe',
  'listSegments',
  'startVerification',
  'cancelJob',
  'getJob',
  'runRecovery',
  'rebuildIndexes',
  'listRecoveryReports',
  'getRecoveryReport',
  'slaSnapshot',
  'slaHistory',
  'setSlaThresholds',
  'approveRecovery',
  'health',
  'append',
  'startLoad',
  'stopLoad',
  'startServer',
  'stopServer',
  'serverStatus',
] as const satisfies readonly StoreApiMethod[]

// Fails to compile when a method is missing from the allow-list.
type MissingFromAllowList = Exclude<StoreApiMethod, (typeof STORE_API_METHODS)[number]>
export const allowListIsComplete: [MissingFromAllowList] extends [never] ? true : never = true

/** Methods a host scoped to one store (browser mode) answers with `not_available`. */
export const BROWSING_METHODS = [
  'listRecent',
  'openStore',
  'createStore',
  'openDemo',
  'closeStore',
  // A served UI must not start more servers.
  'startServer',
  'stopServer',
  'serverStatus',
] as const satisfies readonly StoreApiMethod[]

/** LOAD_RATE_MAX bounds the load generator (events per second). */
export const LOAD_RATE_MAX = 20_000
