import type { FileSystem } from './fileSystem'
import { isCode } from './fileSystem'
import { REFRESH_ATTEMPTS_MAX } from './limits'
import type { FileReport } from '../../shared/report'
import type { SegmentCheck } from './segmentCheck'
import { checkLog, checkSealed } from './segmentCheck'
import { manifestName, parseSegmentFileName, sealedName } from './segmentNames'
import { QUARANTINE_DIR } from './storeDirectory'
import { decodeEvent } from './eventCodec'
import { assert } from './errors'

/**
 * analyzeStore accounts for every segment of a store, sealed or not, and for every
 * sequence number between 1 and the last one. It changes nothing on disk: what to do about
 * what it finds is the caller's decision (open, verify or recover).
 */
export interface StoreAnalysis {
  segments: SegmentCheck[]
  /** One entry per file in the verify shape, including `missing` ranges. */
  files: FileReport[]
  problems: StoreProblem[]
  /** Leftovers of interrupted work that a writer removes: temp files, half-finished seals. */
  leftovers: string[]
  /** The highest segment number ever used, quarantined ones included. */
  segmentNumberMax: number
  lastEventId: string | null
}

export interface StoreProblem {
  /** `manifest`: the data is intact and a writer rebuilds the sealed segment's manifest. */
  kind: 'torn' | 'corrupt' | 'missing' | 'manifest'
  file: string
  offset: number
  reason: string
  /** Index into `segments` of the damaged segment, or of the first after a missing range. */
  segmentIndex: number
}

export interface AnalyzeOptions {
  storeId: Buffer
  /** Read sealed segments whole and check every digest (verify), or trust manifests (open). */
  deep: boolean
  checkDigest: boolean
  /** Another process is writing: the newest segment's unfinished tail is not damage. */
  writerActive: boolean
  /** Lets a clean open skip scanning a log whose state is already known. */
  knownLog?: (segmentNumber: number) => Promise<SegmentCheck | null>
}

interface SegmentFiles {
  log: boolean
  sealed: boolean
  manifest: boolean
}

export async function analyzeStore(
  fs: FileSystem,
  dir: string,
  options: AnalyzeOptions,
): Promise<StoreAnalysis> {
  // A writer in another process may seal (and remove) a log between the listing and the
  // read: start again from a fresh listing rather than fail.
  for (let attempt = 1; ; attempt++) {
    try {
      return await analyzeOnce(fs, dir, options)
    } catch (error) {
      if (!isCode(error, 'ENOENT') || attempt >= REFRESH_ATTEMPTS_MAX) throw error
    }
  }
}

async function analyzeOnce(
  fs: FileSystem,
  dir: string,
  options: AnalyzeOptions,
): Promise<StoreAnalysis> {
  const names = (await fs.readdir(dir)) ?? []
  const plan = planSegmentChecks(names)
  const leftovers = plan.leftovers
  const segments: SegmentCheck[] = []
  for (const task of plan.tasks) {
    const number = task.segmentNumber
    const check = { storeId: options.storeId, deep: options.deep, checkDigest: options.checkDigest }
    if (task.source === 'log') {
      const known = options.knownLog ? await options.knownLog(number) : null
      segments.push(
        known ?? (await checkLog(fs, dir, number, { ...check, mayHaveTornTail: task.newest })),
      )
    } else {
      segments.push(await checkSealed(fs, dir, number, { ...check, mayHaveTornTail: false }))
    }
  }
  const quarantined = ((await fs.readdir(`${dir}/${QUARANTINE_DIR}`)) ?? [])
    .map((name) => /segment-(\d{10})\./.exec(name)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
  const { files, problems } = accountSegments(segments, options.writerActive)
  return {
    segments,
    files,
    problems,
    leftovers,
    segmentNumberMax: Math.max(0, ...plan.tasks.map((t) => t.segmentNumber), ...quarantined),
    lastEventId: lastEventId(segments),
  }
}

/**
 * afterTailCut is the analysis of a store whose only problem was a torn tail of its newest
 * raw log, once a writer has cut that tail at the end of the last complete batch. The cut
 * changes no byte before it, so the scan of the log still holds and it is not read again.
 */
export function afterTailCut(analysis: StoreAnalysis): StoreAnalysis {
  const newest = analysis.segments.at(-1)
  const torn = newest?.damage
  assert(
    newest !== undefined &&
      !newest.sealed &&
      torn?.kind === 'torn' &&
      torn.cutOffset === newest.validEnd &&
      analysis.problems.length === 1,
    'only a torn tail of the newest log, cut where its complete batches end, is cut without a new scan',
  )
  const segments = [
    ...analysis.segments.slice(0, -1),
    { ...newest, bytes: newest.validEnd, damage: null },
  ]
  return { ...analysis, segments, ...accountSegments(segments, false) }
}

/** SegmentCheckTask says how one segment is read: its raw log, or its sealed file. */
export interface SegmentCheckTask {
  segmentNumber: number
  source: 'log' | 'sealed'
  /** The highest-numbered segment: only its raw log may end in a torn tail. */
  newest: boolean
}

/**
 * planSegmentChecks turns the names in a store directory into one task per segment, in
 * segment order, and the leftovers of interrupted work a writer removes.
 */
export function planSegmentChecks(names: readonly string[]): {
  tasks: SegmentCheckTask[]
  leftovers: string[]
} {
  const byNumber = new Map<number, SegmentFiles>()
  const leftovers = names.filter((name) => name.endsWith('.tmp'))
  for (const name of names) {
    const parsed = parseSegmentFileName(name)
    if (!parsed) continue
    const files = byNumber.get(parsed.segmentNumber) ?? {
      log: false,
      sealed: false,
      manifest: false,
    }
    files[parsed.kind] = true
    byNumber.set(parsed.segmentNumber, files)
  }
  const numbers = [...byNumber.keys()].sort((a, b) => a - b)
  const newest = numbers.at(-1)
  const tasks = numbers.map((number): SegmentCheckTask => {
    const files = byNumber.get(number)!
    if (!files.log) return { segmentNumber: number, source: 'sealed', newest: number === newest }
    // The raw log is the source; any sealed copy next to it is an interrupted seal.
    if (files.sealed) leftovers.push(sealedName(number))
    if (files.manifest) leftovers.push(manifestName(number))
    return { segmentNumber: number, source: 'log', newest: number === newest }
  })
  return { tasks, leftovers }
}

/**
 * accountSegments walks the segments in order and checks that sequences continue from 1:
 * it turns per-segment checks into the verify report's files and the store's problems.
 */
export function accountSegments(
  segments: SegmentCheck[],
  writerActive: boolean,
): Pick<StoreAnalysis, 'files' | 'problems'> {
  const files: FileReport[] = []
  const problems: StoreProblem[] = []
  let expected = 1
  segments.forEach((segment, index) => {
    const isNewest = index === segments.length - 1
    const first = segment.firstSequence
    if (first !== null && first > expected && !segment.damage) {
      const name = `(missing) sequences ${expected}-${first - 1}`
      const reason = `events ${expected} to ${first - 1} are missing: no segment holds them`
      files.push({
        name,
        status: 'missing',
        records: 0,
        first_sequence: expected,
        last_sequence: first - 1,
        problems: [{ offset: 0, reason }],
      })
      problems.push({ kind: 'missing', file: name, offset: 0, reason, segmentIndex: index })
    } else if (first !== null && first < expected && !segment.damage) {
      segment.damage = {
        kind: 'corrupt',
        offset: 0,
        reason: `segment starts at sequence ${first}, but sequences up to ${expected - 1} are already stored`,
        cutOffset: 0,
      }
    }
    const damage = segment.damage
    const found = problemOf(segment, index, isNewest && writerActive)
    files.push(fileReportOf(segment, found))
    if (found) problems.push(found)
    // After damage the segment's true end is unknown; the next segment's start is the authority.
    expected =
      damage?.kind === 'corrupt'
        ? (segments[index + 1]?.firstSequence ?? expected)
        : (segment.lastSequence ?? expected - 1) + 1
  })
  return { files, problems }
}

/**
 * segmentFileReport is what verify says about one segment on its own, without the sequence
 * accounting across segments: `writerHoldsTail` ignores an unfinished tail of the newest one.
 */
export function segmentFileReport(segment: SegmentCheck, writerHoldsTail: boolean): FileReport {
  return fileReportOf(segment, problemOf(segment, 0, writerHoldsTail))
}

function fileReportOf(segment: SegmentCheck, found: StoreProblem | null): FileReport {
  return {
    name: segment.name,
    status: !found ? 'ok' : found.kind === 'manifest' ? 'corrupt' : found.kind,
    records: segment.records,
    first_sequence: segment.records > 0 ? (segment.lastSequence ?? 0) - segment.records + 1 : null,
    last_sequence: segment.records > 0 ? segment.lastSequence : null,
    problems: found ? [{ offset: found.offset, reason: found.reason }] : [],
  }
}

/**
 * problemOf is the problem a segment reports, if any; a manifest counts only without damage.
 * `writerHoldsTail`: a live writer is still writing this (newest) segment's unfinished tail.
 */
function problemOf(
  segment: SegmentCheck,
  index: number,
  writerHoldsTail: boolean,
): StoreProblem | null {
  const { damage, name } = segment
  const ignoredTail = damage?.kind === 'torn' && writerHoldsTail
  if (damage && !ignoredTail) {
    return {
      kind: damage.kind,
      file: name,
      offset: damage.offset,
      reason: damage.reason,
      segmentIndex: index,
    }
  }
  if (!segment.manifestProblem) return null
  const reason = `${segment.manifestProblem}; the sealed data is intact and a writer rebuilds the manifest`
  return { kind: 'manifest', file: name, offset: 0, reason, segmentIndex: index }
}

function lastEventId(segments: SegmentCheck[]): string | null {
  for (let i = segments.length - 1; i >= 0; i--) {
    const segment = segments[i]!
    if (segment.lastEventId) return segment.lastEventId
    if (segment.lastPayload) return decodeEvent(segment.lastPayload).event_id
  }
  return null
}
