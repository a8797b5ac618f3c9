import type { FileStatus } from '../../shared/report'
import type { FileSystem } from './fileSystem'
import { writeFileDurably } from './fileSystem'
import { parseSegmentFileName } from './segmentNames'

/**
 * verification.json remembers when each segment file was last verified and what that
 * verification found. It is a note for people and the UI, never a source of truth: a
 * missing or unreadable record means "never verified", and only a writer (the process that
 * holds LOCK) writes it, atomically, so read-only commands never modify the store.
 */
export const VERIFICATION_FILE = 'verification.json'
const VERIFICATION_FORMAT = 'lighthouse-verification'

export interface FileVerification {
  /** When the verification of this file finished (ISO-8601, UTC). */
  verified_at: string
  status: FileStatus
  records: number
  /** Size of the file on disk when it was verified. */
  bytes: number
}

export interface VerificationRecord {
  format: typeof VERIFICATION_FORMAT
  version: 1
  /** Keyed by segment file name. */
  files: Record<string, FileVerification>
}

export function emptyVerificationRecord(): VerificationRecord {
  return { format: VERIFICATION_FORMAT, version: 1, files: {} }
}

/** readVerificationRecord loads verification.json; missing or damaged means never verified. */
export async function readVerificationRecord(
  fs: FileSystem,
  dir: string,
): Promise<VerificationRecord> {
  let parsed: unknown
  try {
    parsed = JSON.parse((await fs.readFile(`${dir}/${VERIFICATION_FILE}`)).toString('utf8'))
  } catch {
    return emptyVerificationRecord()
  }
  const record = emptyVerificationRecord()
  if (!isObject(parsed) || parsed.format !== VERIFICATION_FORMAT || !isObject(parsed.files)) {
    return record
  }
  for (const [name, entry] of Object.entries(parsed.files)) {
    if (parseSegmentFileName(name) && isFileVerification(entry)) record.files[name] = entry
  }
  return record
}

/**
 * recordVerifications merges the newly verified files into the record, drops files that
 * are gone from the store, and writes it durably (temp file, fsync, rename, fsync dir).
 */
export async function recordVerifications(
  fs: FileSystem,
  dir: string,
  verified: ReadonlyMap<string, FileVerification>,
  presentNames: ReadonlySet<string>,
): Promise<VerificationRecord> {
  const record = await readVerificationRecord(fs, dir)
  for (const name of Object.keys(record.files)) {
    if (!presentNames.has(name)) delete record.files[name]
  }
  for (const [name, entry] of verified) record.files[name] = entry
  await writeFileDurably(fs, dir, VERIFICATION_FILE, Buffer.from(`${JSON.stringify(record)}\n`))
  return record
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isFileVerification(value: unknown): value is FileVerification {
  return (
    isObject(value) &&
    typeof value.verified_at === 'string' &&
    typeof value.status === 'string' &&
    typeof value.records === 'number' &&
    typeof value.bytes === 'number'
  )
}
