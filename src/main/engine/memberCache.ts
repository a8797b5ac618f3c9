import { assert } from './errors'

/**
 * MemberCache keeps recently inflated gzip members of sealed segments, least recently used
 * out first, within a byte bound: a get or a query page that needs a member read a moment
 * ago (the same page asked again, the next get nearby) takes it from memory instead of
 * reading and inflating it again.
 *
 * An entry is named by the segment number, the SHA-256 of the gzip file it came from and the
 * member's place in it, so a segment whose sealed file was made again (a reseal after a
 * crash, a recovery) can never be answered from its former bytes: its new file has another
 * digest. `forget` drops a segment's members as soon as its index is reloaded or dropped, so
 * former bytes do not take up the bound until they age out. Only members that inflated to
 * the size their index names are ever stored: damage is never cached and is found again by
 * the next read.
 */
export class MemberCache {
  private readonly entries = new Map<string, Buffer>()
  private bytesHeld = 0

  constructor(private readonly bytesMax: number) {
    assert(bytesMax >= 0, `member cache bound must not be negative, got ${bytesMax}`)
  }

  /** Inflated bytes held now; never more than the bound. */
  get bytes(): number {
    return this.bytesHeld
  }

  /** Members held now. */
  get size(): number {
    return this.entries.size
  }

  get(segmentNumber: number, gzSha256: string, member: number): Buffer | undefined {
    const key = keyOf(segmentNumber, gzSha256, member)
    const bytes = this.entries.get(key)
    if (bytes) {
      // Map order is insertion order: moving the entry to the end marks it most recent.
      this.entries.delete(key)
      this.entries.set(key, bytes)
    }
    return bytes
  }

  /** set keeps a member, evicting the least recently used ones to stay within the bound. */
  set(segmentNumber: number, gzSha256: string, member: number, bytes: Buffer): void {
    if (bytes.length > this.bytesMax) return
    const key = keyOf(segmentNumber, gzSha256, member)
    this.remove(key)
    this.entries.set(key, bytes)
    this.bytesHeld += bytes.length
    for (const oldest of this.entries.keys()) {
      if (this.bytesHeld <= this.bytesMax) break
      this.remove(oldest)
    }
    assert(this.bytesHeld <= this.bytesMax, 'member cache holds more than its bound')
  }

  /** forget drops every member of a segment (its sealed file or index changed or went away). */
  forget(segmentNumber: number): void {
    const prefix = `${segmentNumber}:`
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.remove(key)
  }

  private remove(key: string): void {
    const bytes = this.entries.get(key)
    if (!bytes) return
    this.entries.delete(key)
    this.bytesHeld -= bytes.length
  }
}

function keyOf(segmentNumber: number, gzSha256: string, member: number): string {
  return `${segmentNumber}:${gzSha256}:${member}`
}
