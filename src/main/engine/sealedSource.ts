import type { FileHandle, FileSystem } from './fileSystem'
import { isCode, readRange } from './fileSystem'
import type { ByteSource } from './byteSource'
import { bufferSource } from './byteSource'
import { decodeManifest } from './manifest'
import { manifestName, sealedName } from './segmentNames'
import { CorruptionError } from './errors'
import { inflate } from './inflate'
import { memberSizeMismatch, unreadableMember } from './payloadCut'
import {
  EVENT_BYTES_MAX,
  PAYLOAD_RUN_BYTES,
  PAYLOAD_RUNS_AHEAD,
  SEALED_READ_AHEAD_BYTES,
} from './limits'
import type { CutRun } from './payloadCut'
import type { PayloadCutter } from './payloadCutter'

/**
 * A sealed segment is a series of independent gzip members, and its manifest says where
 * each one starts. openSealedSource reads it member by member, so memory holds only the
 * members one read spans plus SEALED_READ_AHEAD_BYTES read ahead (inflated on the thread
 * pool, a run of members per call, while the caller decodes), never the whole segment.
 *
 * Without a usable manifest (missing, damaged, or describing a file of another size) it
 * falls back to inflating the whole file into memory, as every reader did before: a writer
 * rebuilds such a manifest when it opens the store, so the fallback is rare and temporary.
 */
export interface SealedSource extends ByteSource {
  /** Raw offset where each gzip member starts, ascending; empty for the whole-file fallback. */
  readonly memberOffsets: readonly number[]
  /**
   * peek reads like `read` but inflates only the members it spans, with no read-ahead and
   * nothing dropped: for probing a few places (a binary search over members) before reading.
   */
  peek(position: number, length: number): Promise<Buffer>
  /**
   * cutRuns reads on from raw offset `position` in runs of members (PAYLOAD_RUN_BYTES),
   * each inflated and cut into payloads by `cutter` (worker threads), with
   * PAYLOAD_RUNS_AHEAD runs under way ahead of the one handed out. A null run means no
   * worker could take it: read on from there with `read`. Absent for the whole-file
   * fallback, which has nothing to cut.
   */
  cutRuns?(
    position: number,
    cutter: PayloadCutter,
    checkDigest: boolean,
  ): AsyncGenerator<CutRun | null>
}

export async function openSealedSource(
  fs: FileSystem,
  dir: string,
  segmentNumber: number,
): Promise<SealedSource> {
  const name = sealedName(segmentNumber)
  const manifestBytes = await readIfPresent(fs, `${dir}/${manifestName(segmentNumber)}`)
  const manifest = manifestBytes ? decodeManifest(manifestBytes) : null
  const gzBytes = await fs.size(`${dir}/${name}`)
  const usable =
    manifest && typeof manifest !== 'string' && manifest.members.length > 0 ? manifest : null
  if (usable && usable.gz_bytes === gzBytes) {
    const handle = await fs.open(`${dir}/${name}`, 'read')
    return new MemberSource(name, handle, usable.members, usable.raw_bytes, usable.gz_bytes)
  }
  const whole = await inflateWhole(fs, dir, name)
  return { ...whole, memberOffsets: [], peek: (position, length) => whole.read(position, length) }
}

async function readIfPresent(fs: FileSystem, path: string): Promise<Buffer | null> {
  try {
    return await fs.readFile(path)
  } catch (error) {
    if (isCode(error, 'ENOENT')) return null
    throw error
  }
}

/** inflateWhole reads and inflates a whole sealed file: only without a usable manifest. */
export async function inflateWhole(fs: FileSystem, dir: string, name: string): Promise<ByteSource> {
  const gz = await fs.readFile(`${dir}/${name}`)
  try {
    return bufferSource(await inflate(gz))
  } catch (error) {
    throw new CorruptionError(name, 0, `gzip data is unreadable: ${(error as Error).message}`)
  }
}

class MemberSource implements SealedSource {
  readonly memberOffsets: readonly number[]
  /** Inflated (or inflating) members by index: those of the last read and its read-ahead. */
  private readonly members = new Map<number, Promise<Buffer>>()
  /** Reads of the gzip file still in flight; close() waits for them before closing. */
  private readonly reading = new Set<Promise<unknown>>()

  constructor(
    private readonly name: string,
    private readonly handle: FileHandle,
    private readonly layout: readonly [number, number][],
    readonly size: number,
    private readonly gzBytes: number,
  ) {
    this.memberOffsets = layout.map(([raw]) => raw)
  }

  read(position: number, length: number): Promise<Buffer> {
    return this.readAt(position, length, true)
  }

  peek(position: number, length: number): Promise<Buffer> {
    return this.readAt(position, length, false)
  }

  private async readAt(position: number, length: number, sequential: boolean): Promise<Buffer> {
    const end = Math.min(this.size, position + length)
    if (position >= end) return Buffer.alloc(0)
    const first = this.memberAt(position)
    const last = this.memberAt(end - 1)
    if (sequential) this.forgetBefore(first)
    this.inflateMissing(first, last)
    // Read ahead: inflate what follows while the caller decodes this window.
    if (sequential) {
      const ahead = Math.min(this.size - 1, end + SEALED_READ_AHEAD_BYTES - 1)
      this.inflateMissing(last + 1, this.memberAt(ahead))
    }
    const parts: Buffer[] = []
    for (let i = first; i <= last; i++) {
      const bytes = await this.members.get(i)!
      const start = this.rawStart(i)
      parts.push(bytes.subarray(Math.max(0, position - start), Math.min(bytes.length, end - start)))
    }
    return joined(parts)
  }

  async *cutRuns(
    position: number,
    cutter: PayloadCutter,
    checkDigest: boolean,
  ): AsyncGenerator<CutRun | null> {
    const underWay: Promise<CutRun | null>[] = []
    let next = this.memberAt(position)
    let walkFrom = position
    const startRun = (): void => {
      const first = next
      let last = first
      while (
        last + 1 < this.layout.length &&
        this.rawStart(last + 2) - this.rawStart(first) <= PAYLOAD_RUN_BYTES
      ) {
        last++
      }
      next = last + 1
      const bounds: [number, number][] = []
      for (let i = first; i <= last + 1; i++) bounds.push([this.rawStart(i), this.gzStart(i)])
      const request = { firstMember: first, bounds, walkFrom, checkDigest }
      walkFrom = this.rawStart(next)
      const run = this.readGzip(this.gzStart(first), this.gzStart(next)).then((gz) =>
        cutter.cut({ ...request, gz, payloadLengthMax: EVENT_BYTES_MAX }),
      )
      // A failed read is not lost: it rejects again where the run is awaited.
      run.catch(() => undefined)
      underWay.push(run)
    }
    while (underWay.length < PAYLOAD_RUNS_AHEAD && next < this.layout.length) startRun()
    while (underWay.length > 0) {
      const run = await underWay.shift()!
      if (run === null) {
        yield null
        return
      }
      while (underWay.length < PAYLOAD_RUNS_AHEAD && next < this.layout.length) startRun()
      yield run
    }
  }

  async close(): Promise<void> {
    this.members.clear()
    await Promise.allSettled([...this.reading])
    await this.handle.close()
  }

  /** memberAt is the index of the member holding raw offset `position` (binary search). */
  private memberAt(position: number): number {
    let low = 0
    let high = this.layout.length - 1
    while (low < high) {
      const middle = (low + high + 1) >> 1
      if (this.rawStart(middle) <= position) low = middle
      else high = middle - 1
    }
    return low
  }

  private rawStart(index: number): number {
    return this.layout[index]?.[0] ?? this.size
  }

  private gzStart(index: number): number {
    return this.layout[index]?.[1] ?? this.gzBytes
  }

  private forgetBefore(index: number): void {
    for (const key of this.members.keys()) if (key < index) this.members.delete(key)
  }

  /**
   * inflateMissing starts inflating the members from `first` to `last` not yet under way.
   * Each run of consecutive ones is read with one read and inflated with one gunzip call
   * (gzip members back to back are one valid gzip stream): the thread pool does the work,
   * but every call also costs the main thread the stream machinery around it, which cost
   * more than a 32 KiB member's share of decoding. Should the run not inflate whole, or
   * to another size than the manifest says, its members are inflated one by one, so a
   * damaged member fails alone and is named, and the members before it still read.
   * The members of a run are views of the run's bytes, kept while any of them is.
   */
  private inflateMissing(first: number, last: number): void {
    for (let i = first; i <= last; i++) {
      if (this.members.has(i)) continue
      let j = i
      while (j < last && !this.members.has(j + 1)) j++
      const start = i
      const run = this.readGzip(this.gzStart(start), this.gzStart(j + 1))
      const parts = run.then((gz) => this.inflateRun(start, j, gz))
      for (let k = start; k <= j; k++) {
        const member = parts.then((inflated) => inflated[k - start]!)
        // A failure is not lost: the stored promise rejects again when the member is read.
        member.catch(() => undefined)
        this.members.set(k, member)
      }
      i = j
    }
  }

  /** inflateRun inflates the members `first` to `last`, read as one run of gzip bytes. */
  private async inflateRun(first: number, last: number, gz: Buffer): Promise<Promise<Buffer>[]> {
    const from = this.rawStart(first)
    const rawBytes = this.rawStart(last + 1) - from
    const whole = await inflate(gz, rawBytes).catch(() => null)
    const members = Array.from({ length: last - first + 1 }, (_, i) => first + i)
    if (whole?.length === rawBytes) {
      return members.map((k) =>
        Promise.resolve(whole.subarray(this.rawStart(k) - from, this.rawStart(k + 1) - from)),
      )
    }
    const gzFrom = this.gzStart(first)
    return members.map((k) => {
      const member = this.inflateMember(
        k,
        gz.subarray(this.gzStart(k) - gzFrom, this.gzStart(k + 1) - gzFrom),
      )
      // Rejects again where the member is read; unobserved until then.
      member.catch(() => undefined)
      return member
    })
  }

  private async inflateMember(index: number, gz: Buffer): Promise<Buffer> {
    const rawStart = this.rawStart(index)
    const rawBytes = this.rawStart(index + 1) - rawStart
    let raw: Buffer
    try {
      raw = await inflate(gz, rawBytes)
    } catch (error) {
      const reason = unreadableMember(index, this.gzStart(index), error)
      throw new CorruptionError(this.name, rawStart, reason)
    }
    if (raw.length !== rawBytes) {
      throw new CorruptionError(
        this.name,
        rawStart,
        memberSizeMismatch(index, raw.length, rawBytes),
      )
    }
    return raw
  }

  private async readGzip(start: number, end: number): Promise<Buffer> {
    const reading = readRange(this.handle, start, end - start)
    this.reading.add(reading)
    try {
      return await reading
    } finally {
      this.reading.delete(reading)
    }
  }
}

/** joined is the parts as one buffer: a view when they lie back to back in one allocation. */
function joined(parts: Buffer[]): Buffer {
  if (parts.length === 1) return parts[0]!
  const first = parts[0]!
  let end = first.byteOffset + first.length
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i]!
    if (part.buffer !== first.buffer || part.byteOffset !== end) return Buffer.concat(parts)
    end += part.length
  }
  return Buffer.from(first.buffer, first.byteOffset, end - first.byteOffset)
}
