import * as zlib from 'node:zlib'
import type { FileSystem } from './fileSystem'
import { ignoreMissing, readRange, writeFileDurably } from './fileSystem'
import type { RecoveryAction, RecoveryReport, StoreMode } from '../../shared/report'
import type { StoreAnalysis, StoreProblem } from './analyzeStore'
import type { SegmentCheck } from './segmentCheck'
import { bufferSource } from './byteSource'
import { scanSegment } from './segmentScanner'
import { encodeSegmentHeader, SEGMENT_HEADER_BYTES } from './segmentHeader'
import { manifestName, segmentLogName } from './segmentNames'
import { QUARANTINE_DIR, REPORTS_DIR } from './storeDirectory'
import { rebuildSealed } from './sealer'

/**
 * Repair keeps the longest intact prefix of the log and moves everything after the first
 * damage into quarantine/: nothing is deleted, and no sequence number is skipped. A torn
 * tail is the common, harmless case (a writer died mid-append, so those bytes were never
 * acknowledged); a writer cuts it on open. Any other damage is cut only by an explicit
 * `recover`, because it may mean acknowledged events are lost, and a person should decide.
 */
export interface RepairContext {
  fs: FileSystem
  dir: string
  storeId: Buffer
  nowMs: () => number
  actions: RecoveryAction[]
}

/**
 * repairFrom cuts the log at `problem` and quarantines everything after it. It returns what
 * it did to the damaged segment itself: cut its tail, quarantined it, or salvaged its intact
 * events into a new raw segment.
 */
export async function repairFrom(
  ctx: RepairContext,
  analysis: StoreAnalysis,
  problem: StoreProblem,
): Promise<'truncated' | 'quarantined' | 'salvaged'> {
  const stamp = fileStamp(ctx.nowMs())
  const index = problem.segmentIndex
  for (const later of analysis.segments.slice(index + 1).reverse()) {
    await quarantineSegment(
      ctx,
      later,
      stamp,
      `follows damage in ${problem.file}: ${problem.reason}`,
    )
  }
  const segment = analysis.segments[index]!
  if (problem.kind === 'missing') {
    await quarantineSegment(ctx, segment, stamp, problem.reason)
    return 'quarantined'
  }
  if (!segment.sealed && (segment.damage?.cutOffset ?? 0) >= SEGMENT_HEADER_BYTES) {
    await cutLogTail(ctx, segment, segment.damage!.cutOffset, problem.reason, stamp)
    return 'truncated'
  }
  if (!segment.sealed) {
    await quarantineSegment(ctx, segment, stamp, problem.reason)
    return 'quarantined'
  }
  await salvageSealed(ctx, segment, analysis.segmentNumberMax + 1, problem.reason, stamp)
  return 'salvaged'
}

async function cutLogTail(
  ctx: RepairContext,
  segment: SegmentCheck,
  offset: number,
  reason: string,
  stamp: string,
): Promise<void> {
  const path = `${ctx.dir}/${segment.name}`
  const handle = await ctx.fs.open(path, 'readwrite')
  try {
    const size = await handle.size()
    const tail = await readRange(handle, offset, size - offset)
    const savedAs = `${QUARANTINE_DIR}/${stamp}-${segment.name}.from-${offset}.bin`
    await ensureQuarantine(ctx)
    await writeFileDurably(
      ctx.fs,
      `${ctx.dir}/${QUARANTINE_DIR}`,
      savedAs.slice(QUARANTINE_DIR.length + 1),
      tail,
    )
    await handle.truncate(offset)
    await handle.datasync()
    ctx.actions.push({
      kind: 'truncated',
      file: segment.name,
      offset,
      bytes: tail.length,
      reason,
      saved_as: savedAs,
    })
  } finally {
    await handle.close()
  }
}

async function quarantineSegment(
  ctx: RepairContext,
  segment: SegmentCheck,
  stamp: string,
  reason: string,
): Promise<void> {
  await ensureQuarantine(ctx)
  const names = segment.sealed
    ? [segment.name, manifestName(segment.segmentNumber)]
    : [segment.name]
  for (const name of names) {
    const bytes = await ctx.fs.size(`${ctx.dir}/${name}`)
    if (bytes === null) continue
    const savedAs = `${QUARANTINE_DIR}/${stamp}-${name}`
    await ctx.fs.rename(`${ctx.dir}/${name}`, `${ctx.dir}/${savedAs}`)
    ctx.actions.push({
      kind: 'quarantined',
      file: name,
      offset: null,
      bytes,
      reason,
      saved_as: savedAs,
    })
  }
  await ctx.fs.syncDir(`${ctx.dir}/${QUARANTINE_DIR}`)
  await ctx.fs.syncDir(ctx.dir)
}

/**
 * salvageSealed inflates a damaged sealed segment as far as it can, writes the intact
 * complete batches to a new raw segment, and quarantines the sealed file.
 */
async function salvageSealed(
  ctx: RepairContext,
  segment: SegmentCheck,
  newNumber: number,
  reason: string,
  stamp: string,
): Promise<void> {
  const gz = await ctx.fs.readFile(`${ctx.dir}/${segment.name}`).catch(ignoreMissingAs(null))
  const raw = gz ? inflatePrefix(gz) : Buffer.alloc(0)
  const scan = await scanSegment(bufferSource(raw), {
    mayHaveTornTail: true,
    checkDigest: true,
    storeId: ctx.storeId,
    expectedFirstSequence: null,
  })
  await quarantineSegment(ctx, segment, stamp, reason)
  if (!scan.header || scan.records === 0) return
  const name = segmentLogName(newNumber)
  const header = encodeSegmentHeader({ ...scan.header, segmentNumber: newNumber })
  const body = raw.subarray(SEGMENT_HEADER_BYTES, scan.validEnd)
  await writeFileDurably(ctx.fs, ctx.dir, name, Buffer.concat([header, body]))
  ctx.actions.push({
    kind: 'salvaged',
    file: name,
    offset: null,
    bytes: header.length + body.length,
    reason: `${scan.records} intact events (sequences ${scan.firstSequence}-${scan.lastSequence}) copied out of ${segment.name}`,
  })
}

/** inflatePrefix returns what gunzip produces before the first damaged byte. */
function inflatePrefix(gz: Buffer): Buffer {
  try {
    return zlib.gunzipSync(gz)
  } catch {
    // Inflate member by member at the gzip magic; keep what is readable before the damage.
    const parts: Buffer[] = []
    const magic = Buffer.from([0x1f, 0x8b, 0x08])
    let at = 0
    while (at < gz.length) {
      const next = gz.indexOf(magic, at + 1)
      try {
        parts.push(zlib.gunzipSync(gz.subarray(at, next < 0 ? gz.length : next)))
      } catch {
        break
      }
      if (next < 0) break
      at = next
    }
    return Buffer.concat(parts)
  }
}

async function ensureQuarantine(ctx: RepairContext): Promise<void> {
  const path = `${ctx.dir}/${QUARANTINE_DIR}`
  if ((await ctx.fs.readdir(path)) !== null) return
  await ctx.fs.mkdir(path)
  await ctx.fs.syncDir(ctx.dir)
}

/**
 * rebuildManifests writes the manifest of every sealed segment whose data is intact but
 * whose manifest is wrong or missing. Returns whether it changed anything.
 */
export async function rebuildManifests(
  ctx: RepairContext,
  analysis: StoreAnalysis,
): Promise<boolean> {
  const stale = analysis.problems.filter((problem) => problem.kind === 'manifest')
  for (const problem of stale) {
    const segment = analysis.segments[problem.segmentIndex]!
    const manifest = await rebuildSealed(
      ctx.fs,
      ctx.dir,
      segment.segmentNumber,
      ctx.storeId,
      ctx.nowMs,
    )
    ctx.actions.push({
      kind: 'manifest_rebuilt',
      file: manifestName(segment.segmentNumber),
      offset: null,
      bytes: manifest.gz_bytes,
      reason: problem.reason,
    })
  }
  return stale.length > 0
}

/** removeLeftovers deletes temp files and half-finished seals (the raw log is kept). */
export async function removeLeftovers(ctx: RepairContext, names: string[]): Promise<void> {
  for (const name of names) {
    const bytes = (await ctx.fs.size(`${ctx.dir}/${name}`)) ?? 0
    await ctx.fs.unlink(`${ctx.dir}/${name}`)
    const reason = name.endsWith('.tmp')
      ? 'temporary file of interrupted work'
      : 'copy from an interrupted seal; the raw segment is kept and sealed again'
    ctx.actions.push({ kind: 'removed_temp', file: name, offset: null, bytes, reason })
  }
  if (names.length > 0) await ctx.fs.syncDir(ctx.dir)
}

/** writeRecoveryReport stores the report as reports/recovery-<time>.json and returns it. */
export async function writeRecoveryReport(
  ctx: RepairContext,
  startedAtMs: number,
  problems: StoreProblem[],
  mode: StoreMode,
): Promise<RecoveryReport> {
  const report: RecoveryReport = {
    ok: problems.length === 0,
    started_at: new Date(startedAtMs).toISOString(),
    finished_at: new Date(ctx.nowMs()).toISOString(),
    actions: ctx.actions,
    problems: problems.map(({ file, offset, reason }) => ({ file, offset, reason })),
    mode,
  }
  const reports = `${ctx.dir}/${REPORTS_DIR}`
  if ((await ctx.fs.readdir(reports)) === null) {
    await ctx.fs.mkdir(reports)
    await ctx.fs.syncDir(ctx.dir)
  }
  const name = `recovery-${fileStamp(startedAtMs)}.json`
  await writeFileDurably(ctx.fs, reports, name, Buffer.from(`${JSON.stringify(report, null, 2)}\n`))
  return report
}

/** ignoreMissingAs turns ENOENT into `value` and rethrows anything else. */
function ignoreMissingAs<T>(value: T): (error: unknown) => T {
  return (error) => {
    ignoreMissing(error)
    return value
  }
}

/** A timestamp usable in file names, sortable. */
export function fileStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[:.]/g, '-')
}
