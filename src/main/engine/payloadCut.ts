import { inflateSync } from './inflate'
import { readRecord } from './recordCodec'

/**
 * cutPayloads does what a replay does to a run of a sealed segment's gzip members before
 * decoding: inflate them, walk and check their records, and gather the payloads. The result
 * holds the payloads back to back in one buffer, so it can be handed from a worker thread
 * (payloadWorker.ts) to the replaying thread without a copy, and decoded there in one call.
 *
 * A run that does not inflate whole is inflated member by member: the records of the members
 * before a damaged one are still cut, and the damage is named at its member.
 */
export interface CutRequest {
  /** The run's gzip bytes: its members back to back. */
  gz: Uint8Array
  /**
   * [raw offset, gzip offset] in the segment of each of the run's members, then of where the
   * run ends (the next member's start, or the file's sizes).
   */
  bounds: [number, number][]
  /** Index in the segment of the run's first member, for messages. */
  firstMember: number
  /** Raw offset in the segment to walk from (after the segment header, or a start found). */
  walkFrom: number
  checkDigest: boolean
  payloadLengthMax: number
}

export interface CutRun {
  /** The payloads of the records, back to back. */
  payloads: Uint8Array
  /** Where each record's payload ends in `payloads`. */
  ends: Uint32Array
  sequences: Float64Array
  /** Raw offset of each record in the segment, for messages. */
  offsets: Float64Array
  /** Why the run stops short: the records before `offset` are in the lists above. */
  problem: { offset: number; reason: string } | null
  /** A record that begins in the run and ends after it (a member cut inside a record). */
  continuesAt: number | null
}

/** Changes whenever CutJob, CutReply or CutRun do: a worker of another build is not used. */
export const PAYLOAD_PROTOCOL = 1

export interface CutJob {
  id: number
  request: CutRequest
}

export type CutReply = { id: number; protocol: number } & ({ run: CutRun } | { failed: string })

export function cutPayloads(request: CutRequest): CutRun {
  const { bounds } = request
  const runStart = bounds[0]![0]
  const gzFrom = bounds[0]![1]
  const rawBytes = bounds.at(-1)![0] - runStart
  const whole = inflateMember(request.firstMember, gzFrom, rawBytes, request.gz)
  let raw = typeof whole === 'string' ? null : whole
  let problem: CutRun['problem'] = null
  if (!raw) {
    const parts: Buffer[] = []
    for (let i = 0; i + 1 < bounds.length && !problem; i++) {
      const [rawStart, gzStart] = bounds[i]!
      const [rawEnd, gzEnd] = bounds[i + 1]!
      const gz = request.gz.subarray(gzStart - gzFrom, gzEnd - gzFrom)
      const reason = inflateMember(request.firstMember + i, gzStart, rawEnd - rawStart, gz)
      if (typeof reason === 'string') problem = { offset: rawStart, reason }
      else parts.push(reason)
    }
    raw = Buffer.concat(parts)
  }
  return walkRecords(raw, runStart, request, problem)
}

/**
 * inflateMember inflates one gzip member (or a run of them, as one stream) that should give
 * `rawBytes`: its bytes, or why it does not (the reason a CorruptionError at the member's
 * raw offset gives).
 */
function inflateMember(
  index: number,
  gzOffset: number,
  rawBytes: number,
  gz: Uint8Array,
): Buffer | string {
  let raw: Buffer
  try {
    raw = inflateSync(gz, rawBytes)
  } catch (error) {
    return unreadableMember(index, gzOffset, error)
  }
  return raw.length === rawBytes ? raw : memberSizeMismatch(index, raw.length, rawBytes)
}

export function unreadableMember(index: number, gzOffset: number, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return `gzip member ${index} (at gzip offset ${gzOffset}) is unreadable: ${message}`
}

export function memberSizeMismatch(index: number, got: number, expected: number): string {
  return `gzip member ${index} inflates to ${got} bytes, its manifest says ${expected}`
}

function walkRecords(
  raw: Buffer,
  runStart: number,
  request: CutRequest,
  damage: CutRun['problem'],
): CutRun {
  const options = { checkDigest: request.checkDigest, payloadLengthMax: request.payloadLengthMax }
  const found: { payload: Buffer; sequence: number; offset: number }[] = []
  let problem = damage
  let continuesAt: number | null = null
  let payloadBytes = 0
  for (let at = request.walkFrom - runStart; at < raw.length;) {
    const read = readRecord(raw, at, options)
    if (read.kind === 'bad') {
      problem = { offset: runStart + at, reason: read.reason }
      break
    }
    if (read.kind === 'incomplete') {
      // Inside a damaged run the damage is the answer; otherwise the record goes on.
      if (!problem) continuesAt = runStart + at
      break
    }
    found.push({ payload: read.payload, sequence: read.header.sequence, offset: runStart + at })
    payloadBytes += read.payload.length
    at = read.end
  }
  // Its own ArrayBuffer, so the whole of it can be transferred to another thread.
  const payloads = new Uint8Array(payloadBytes)
  const ends = new Uint32Array(found.length)
  const sequences = new Float64Array(found.length)
  const offsets = new Float64Array(found.length)
  let written = 0
  for (let i = 0; i < found.length; i++) {
    const record = found[i]!
    payloads.set(record.payload, written)
    written += record.payload.length
    ends[i] = written
    sequences[i] = record.sequence
    offsets[i] = record.offset
  }
  return { payloads, ends, sequences, offsets, problem, continuesAt }
}
