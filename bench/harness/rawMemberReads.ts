import * as fs from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'

interface SealedFile {
  fd: number
  /** [raw offset, gzip offset] of each member, then the file's end. */
  members: [number, number][]
}

/**
 * RawMemberReads is the floor under a point read of a sealed segment: one positioned read
 * of a gzip member from a file kept open, and its gunzip, with no store code at all, both
 * on the calling thread as the engine does them while the disk answers quickly. It
 * reads members picked by the same seeded sequence numbers as the engine's gets, so both
 * read as many cold members (a 1,000,000-event store is far larger than any cache).
 */
export class RawMemberReads {
  private constructor(private readonly files: SealedFile[]) {}

  static open(dir: string): RawMemberReads {
    const files = fs
      .readdirSync(dir)
      .filter((name) => name.endsWith('.log.gz'))
      .map((name) => {
        const manifest = JSON.parse(
          fs.readFileSync(join(dir, name.replace('.log.gz', '.manifest.json')), 'utf8'),
        ) as { members: [number, number][]; raw_bytes: number; gz_bytes: number }
        return {
          fd: fs.openSync(join(dir, name), 'r'),
          members: [...manifest.members, [manifest.raw_bytes, manifest.gz_bytes]],
        } satisfies SealedFile
      })
    if (files.length === 0) throw new Error(`${dir} has no sealed segment to read`)
    return new RawMemberReads(files)
  }

  /** readOne reads and inflates the member that `key` picks; resolves with its raw bytes. */
  // Async like a get, so the two are timed alike (a resolved promise costs a microtask).
  async readOne(key: number): Promise<number> {
    const file = this.files[key % this.files.length]!
    const member = Math.floor(key / this.files.length) % (file.members.length - 1)
    const [rawStart, gzStart] = file.members[member]!
    const [rawEnd, gzEnd] = file.members[member + 1]!
    const gz = Buffer.allocUnsafe(gzEnd - gzStart)
    fs.readSync(file.fd, gz, 0, gz.length, gzStart)
    return gunzipSync(gz, { chunkSize: Math.max(64, rawEnd - rawStart) }).length
  }

  close(): void {
    for (const file of this.files) fs.closeSync(file.fd)
  }
}
