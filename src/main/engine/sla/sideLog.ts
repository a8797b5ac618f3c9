import type { SlaLevel, SlaTransition } from '../../../shared/sla'
import { ValidationError, assert, ioError } from '../errors'
import type { FileHandle, FileSystem } from '../fileSystem'
import { SLA_SIDE_LOG_BYTES_MAX, SLA_SIDE_LOG_READ_MAX } from '../limits'

/**
 * SideLog keeps SLA transitions in the store directory when the store cannot record them as
 * events (it is read-only, failed or needs recovery). One transition is one JSON line, and
 * an append returns only after the line is fsynced (and, for a new file, its directory).
 *
 * Bound: when an append would take `sla-transitions.log` past SLA_SIDE_LOG_BYTES_MAX, the
 * file is first renamed to `sla-transitions.log.1` (replacing the older one), so the side
 * log never holds more than twice the bound, and always the most recent transitions.
 *
 * A crash can leave a torn last line. The next append starts on a new line, and the reader
 * reports every line it cannot read as a problem with its offset instead of skipping it.
 */

export const SIDE_LOG_FILE_NAME = 'sla-transitions.log'
export const SIDE_LOG_ROTATED_NAME = `${SIDE_LOG_FILE_NAME}.1`

const NEWLINE = 0x0a
const LEVELS: readonly SlaLevel[] = ['NORMAL', 'WARNING', 'EMERGENCY', 'RECOVERING']

export interface SideLogProblem {
  file: string
  /** Byte offset of the line in that file. */
  offset: number
  reason: string
}

export interface SideLogRead {
  /** Oldest first, the most recent last. */
  transitions: SlaTransition[]
  problems: SideLogProblem[]
}

export class SideLog {
  /** Appends run one after another, so two lines never share an offset. */
  private queue: Promise<void> = Promise.resolve()

  /** `bytesMax` is SLA_SIDE_LOG_BYTES_MAX except in tests of the bound itself. */
  constructor(
    private readonly fs: FileSystem,
    private readonly dir: string,
    private readonly bytesMax = SLA_SIDE_LOG_BYTES_MAX,
  ) {}

  /** append writes one transition durably, after those appended before it. */
  append(transition: SlaTransition): Promise<void> {
    const done = this.queue.then(() => this.write(transition))
    // The queue goes on after a failure; the failure itself reaches this caller.
    this.queue = done.catch(() => undefined)
    return done
  }

  /** recent reads the most recent `count` transitions (1..SLA_SIDE_LOG_READ_MAX). */
  async recent(count: number): Promise<SideLogRead> {
    if (!Number.isInteger(count) || count < 1 || count > SLA_SIDE_LOG_READ_MAX) {
      throw new ValidationError(
        'count',
        `must be an integer from 1 to ${SLA_SIDE_LOG_READ_MAX}, got ${count}`,
      )
    }
    const current = await this.readLines(SIDE_LOG_FILE_NAME)
    const read =
      current.transitions.length >= count
        ? current
        : concat(await this.readLines(SIDE_LOG_ROTATED_NAME), current)
    return { transitions: read.transitions.slice(-count), problems: read.problems }
  }

  private async write(transition: SlaTransition): Promise<void> {
    const path = `${this.dir}/${SIDE_LOG_FILE_NAME}`
    const line = Buffer.from(`${JSON.stringify(transition)}\n`)
    assert(line.length <= this.bytesMax, `a transition of ${line.length} bytes passes the side log`)
    try {
      let size = await this.fs.size(path)
      // One byte more for the newline that may have to close a torn line.
      if (size !== null && size + line.length + 1 > this.bytesMax) {
        await this.fs.rename(path, `${this.dir}/${SIDE_LOG_ROTATED_NAME}`)
        size = null
      }
      const handle =
        size === null ? await this.fs.create(path) : await this.fs.open(path, 'readwrite')
      try {
        const torn = size !== null && size > 0 && (await lastByte(handle, size)) !== NEWLINE
        const bytes = torn ? [Buffer.from('\n'), line] : [line]
        await handle.write(bytes, size ?? 0)
        await handle.datasync()
      } finally {
        await handle.close()
      }
      if (size === null) await this.fs.syncDir(this.dir)
    } catch (error) {
      throw ioError(`append an SLA transition to ${path}`, error)
    }
  }

  private async readLines(name: string): Promise<SideLogRead> {
    const path = `${this.dir}/${name}`
    let bytes: Buffer
    try {
      if ((await this.fs.size(path)) === null) return { transitions: [], problems: [] }
      bytes = await this.fs.readFile(path)
    } catch (error) {
      throw ioError(`read ${path}`, error)
    }
    const read: SideLogRead = { transitions: [], problems: [] }
    let offset = 0
    while (offset < bytes.length) {
      const end = bytes.indexOf(NEWLINE, offset)
      if (end < 0) {
        read.problems.push({
          file: name,
          offset,
          reason: 'the last line is incomplete (a write cut off)',
        })
        break
      }
      const transition = parseTransition(bytes.toString('utf8', offset, end))
      if (typeof transition === 'string')
        read.problems.push({ file: name, offset, reason: transition })
      else read.transitions.push(transition)
      offset = end + 1
    }
    return read
  }
}

async function lastByte(handle: FileHandle, size: number): Promise<number> {
  const byte = Buffer.alloc(1)
  await handle.read(byte, 0, 1, size - 1)
  return byte[0]!
}

/** parseTransition returns the transition on a line, or why the line is not one. */
function parseTransition(text: string): SlaTransition | string {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return 'the line is not JSON'
  }
  const t = value as Partial<SlaTransition> | null
  const valid =
    typeof t === 'object' &&
    t !== null &&
    LEVELS.includes(t.from as SlaLevel) &&
    LEVELS.includes(t.to as SlaLevel) &&
    typeof t.at === 'string' &&
    typeof t.reason === 'string' &&
    typeof t.figures === 'object' &&
    t.figures !== null
  return valid ? (t as SlaTransition) : 'the line is not an SLA transition'
}

function concat(older: SideLogRead, newer: SideLogRead): SideLogRead {
  return {
    transitions: [...older.transitions, ...newer.transitions],
    problems: [...older.problems, ...newer.problems],
  }
}
