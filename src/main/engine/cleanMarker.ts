import type { FileSystem } from './fileSystem'
import { ignoreMissing, writeFileDurably } from './fileSystem'
import type { ActiveSegment } from './appendLog'
import type { SegmentCheck } from './segmentCheck'
import type { SegmentInfo } from './segmentReader'
import { formatEventId } from './eventId'
import { segmentLogName } from './segmentNames'
import { CLEAN_FILE } from './storeDirectory'
import type { RememberedKey } from './idempotencyWindow'

/**
 * The clean-shutdown marker records the active segment's state at a clean close, so the
 * next open can skip scanning it. It is trusted only while the file still has exactly the
 * recorded size, and a writer removes it (durably) before its first write.
 */
interface CleanMarker {
  segment_number: number
  bytes: number
  first_sequence: number
  records: number
  created_at_ms: number
  last_event_id: string | null
  /** The idempotency window at close, so a clean open need not read the log back for it. */
  idempotency: RememberedKey[]
}

export async function writeCleanMarker(
  fs: FileSystem,
  dir: string,
  active: ActiveSegment,
  info: SegmentInfo,
  lastNs: bigint,
  nodeId: string,
  idempotency: RememberedKey[],
): Promise<void> {
  const marker: CleanMarker = {
    segment_number: active.segmentNumber,
    bytes: active.size,
    first_sequence: active.firstSequence,
    records: active.records,
    created_at_ms: active.createdAtMs,
    last_event_id: info.lastSequence > 0 ? formatEventId(lastNs, info.lastSequence, nodeId) : null,
    idempotency,
  }
  await writeFileDurably(fs, dir, CLEAN_FILE, Buffer.from(`${JSON.stringify(marker)}\n`))
}

/** trustedMarker returns the marker if it describes log `segmentNumber` as it still is. */
async function trustedMarker(
  fs: FileSystem,
  dir: string,
  segmentNumber: number,
): Promise<CleanMarker | null> {
  let marker: CleanMarker
  try {
    marker = JSON.parse((await fs.readFile(`${dir}/${CLEAN_FILE}`)).toString('utf8')) as CleanMarker
  } catch {
    return null
  }
  if (marker.segment_number !== segmentNumber) return null
  const size = await fs.size(`${dir}/${segmentLogName(segmentNumber)}`)
  return size === marker.bytes ? marker : null
}

/** readCleanIdempotency returns the window saved at a clean close, if the marker holds. */
export async function readCleanIdempotency(
  fs: FileSystem,
  dir: string,
  newestSegmentNumber: number,
): Promise<RememberedKey[] | null> {
  const marker = await trustedMarker(fs, dir, newestSegmentNumber)
  return Array.isArray(marker?.idempotency) ? marker.idempotency : null
}

/** readCleanMarker returns the recorded state of log `segmentNumber` if it still holds. */
export async function readCleanMarker(
  fs: FileSystem,
  dir: string,
  segmentNumber: number,
): Promise<SegmentCheck | null> {
  const marker = await trustedMarker(fs, dir, segmentNumber)
  if (!marker) return null
  const name = segmentLogName(segmentNumber)
  return {
    segmentNumber,
    name,
    sealed: false,
    firstSequence: marker.first_sequence,
    lastSequence: marker.first_sequence + marker.records - 1,
    records: marker.records,
    bytes: marker.bytes,
    validEnd: marker.bytes,
    createdAtMs: marker.created_at_ms,
    lastPayload: null,
    damage: null,
    manifest: null,
    manifestProblem: null,
    lastEventId: marker.last_event_id,
  }
}

export async function removeCleanMarker(fs: FileSystem, dir: string): Promise<void> {
  const names = await fs.readdir(dir)
  if (!names?.includes(CLEAN_FILE)) return
  await fs.unlink(`${dir}/${CLEAN_FILE}`).catch(ignoreMissing)
  await fs.syncDir(dir)
}
