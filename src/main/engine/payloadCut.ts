import { inflateSync } from './inflate'
import { readRecord } from './recordCodec'
import { recordsFromMaps } from './recordsFromMaps'

/**
 * cutPayloads does what a replay does to a run of a sealed segment's gzip members before
 * decoding: inflate them, walk and check their records, and gather the payloads. The result
 * holds the payloads back to back in one buffer, so it can be handed from a worker thread
 * (payloadWorker.ts) to the replaying thread without a copy, and decoded there in one call.
 *
 * The payloads are rewritten with their maps as records (recordsFromMaps.ts), which the
 * replaying thread decodes about four times faster, whenever they can be; otherwise they are
 * handed over as stored.
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
  /**
   * The payloads were rewritten by recordsFromMaps: they decode only together, from the
   * first. Otherwise they are as stored.
   */
  records: boolean
  sequences: Float64Array
  /** Raw offset of each record in the segment, for messages. */
  offsets: Float64Array
  /** Why the run stops short: the records before `offset` are in the lists above. */
  problem: { offset: number; reason: string } | null
  /** A record that begins in the run and ends after it (a member cut inside a record). */
  continuesAt: number | null
}

/** Changes whenever CutJob, CutReply or CutRun do: a worker of another build is not used. */
export const PAYLOAD_PROTOCOL = 2

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
  const starts: number[] = []
  const ends: number[] = []
  const sequences: number[] = []
  const offsets: number[] = []
  let problem = damage
  let continuesAt: number | null = null
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
    const start = read.payload.byteOffset - raw.byteOffset
    starts.push(start)
    ends.push(start + read.payload.length)
    sequences.push(read.header.sequence)
    offsets.push(runStart + at)
    at = read.end
  }
  const records = starts.length > 0 ? recordsFromMaps(raw, starts, ends) : null
  return {
    ...(records ? { payloads: records.bytes, ends: records.ends } : packed(raw, starts, ends)),
    records: records !== null,
    sequences: Float64Array.from(sequences),
    offsets: Float64Array.from(offsets),
    problem,
    continuesAt,
  }
}

/** packed copies the payloads back to back into a buffer of their own (to be transferred). */
function packed(raw: Buffer, starts: number[], ends: number[]): Pick<CutRun, 'payloads' | 'ends'> {
  let bytes = 0
  for (let i = 0; i < starts.length; i++) bytes += ends[i]! - starts[i]!
  const payloads = new Uint8Array(bytes)
  const packedEnds = new Uint32Array(starts.length)
  let written = 0
  for (let i = 0; i < starts.length; i++) {
    payloads.set(raw.subarray(starts[i], ends[i]), written)
    written += ends[i]! - starts[i]!
    packedEnds[i] = written
  }
  return { payloads, ends: packedEnds }
}
