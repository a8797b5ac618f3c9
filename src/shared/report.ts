/** Shapes of the verify, inspect and recover reports (DESIGN.md Contracts). */

export type StoreMode = 'writable' | 'read_only' | 'needs_recovery' | 'failed'

export interface Problem {
  /** Byte offset in the uncompressed segment. */
  offset: number
  reason: string
}

export type FileStatus = 'ok' | 'torn' | 'corrupt' | 'missing'

export interface FileReport {
  name: string
  status: FileStatus
  /** Number of intact events read from the file. */
  records: number
  first_sequence: number | null
  last_sequence: number | null
  problems: Problem[]
}

export interface VerifyReport {
  ok: boolean
  files: FileReport[]
}

export interface SegmentSummary {
  name: string
  sealed: boolean
  first_sequence: number | null
  last_sequence: number | null
  records: number
  bytes: number
}

export interface InspectReport {
  mode: StoreMode
  sla_level: 'NORMAL' | 'WARNING' | 'EMERGENCY' | 'RECOVERING'
  first_sequence: number | null
  last_sequence: number | null
  event_count: number
  bytes: number
  segments: SegmentSummary[]
  /** Why the store is not writable, when it is not. */
  reason?: string
}

export type RecoveryActionKind =
  | 'truncated'
  | 'quarantined'
  | 'index_rebuilt'
  | 'removed_temp'
  | 'resealed'
  | 'manifest_rebuilt'
  | 'salvaged'

export interface RecoveryAction {
  kind: RecoveryActionKind
  file: string
  offset: number | null
  bytes: number
  reason: string
  /** Where removed bytes were copied to, relative to the store directory. */
  saved_as?: string
}

export interface RecoveryReport {
  ok: boolean
  started_at: string
  finished_at: string
  actions: RecoveryAction[]
  /** Damage that is still there (the store stays read-only until `recover`). */
  problems: { file: string; offset: number | null; reason: string }[]
  mode: StoreMode
}
