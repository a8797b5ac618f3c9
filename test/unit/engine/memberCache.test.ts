import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { StoredEvent } from '../../../src/shared/event'
import type { FileSystem } from '../../../src/main/engine/fileSystem'
import type { SegmentManifest } from '../../../src/main/engine/manifest'
import type { SegmentInfo } from '../../../src/main/engine/segmentReader'
import { EventStore } from '../../../src/main/engine/eventStore'
import { SegmentIndexes } from '../../../src/main/engine/indexCache'
import { MemberCache } from '../../../src/main/engine/memberCache'
import { nodeFileSystem } from '../../../src/main/engine/nodeFileSystem'
import { manifestName, sealedName } from '../../../src/main/engine/segmentNames'
import { CorruptionError } from '../../../src/main/engine/errors'
import { decodeIndexSummary, indexName, MEMBER_STRIDE } from '../../../src/main/engine/segmentIndex'
import { flipByte } from '../../support/corrupt'

/**
 * The member cache keeps inflated gzip members so a read inflates a member once. These
 * tests hold it to its bound, and check that it never answers with bytes a segment no longer
 * has and never hides damage.
 */
const KB = 1024

function bytes(length: number, fill: number): Buffer {
  return Buffer.alloc(length, fill)
}

describe('MemberCache', () => {
  it('holds no more bytes than its bound, evicting the least recently used member first', () => {
    const cache = new MemberCache(3 * KB)
    cache.set(1, 'aa', 0, bytes(KB, 0))
    cache.set(1, 'aa', 1, bytes(KB, 1))
    cache.set(1, 'aa', 2, bytes(KB, 2))
    expect(cache.get(1, 'aa', 0)?.[0]).toBe(0) // member 0 is now the most recent
    cache.set(1, 'aa', 3, bytes(KB, 3))
    expect(cache.bytes).toBe(3 * KB)
    expect(cache.get(1, 'aa', 1)).toBeUndefined()
    expect([0, 2, 3].map((m) => cache.get(1, 'aa', m)?.[0])).toEqual([0, 2, 3])
  })

  it('does not keep a member larger than its whole bound, and keeps what it held', () => {
    const cache = new MemberCache(2 * KB)
    cache.set(1, 'aa', 0, bytes(KB, 0))
    cache.set(1, 'aa', 1, bytes(3 * KB, 1))
    expect(cache.get(1, 'aa', 1)).toBeUndefined()
    expect(cache.get(1, 'aa', 0)).toBeDefined()
    expect(cache.bytes).toBe(KB)
  })

  it('misses for a segment whose sealed file has another digest (it was made again)', () => {
    const cache = new MemberCache(4 * KB)
    cache.set(7, 'old-digest', 0, bytes(KB, 1))
    expect(cache.get(7, 'new-digest', 0)).toBeUndefined()
  })

  it('forgets every member of one segment and no other', () => {
    const cache = new MemberCache(8 * KB)
    cache.set(1, 'aa', 0, bytes(KB, 0))
    cache.set(1, 'aa', 1, bytes(KB, 0))
    cache.set(11, 'bb', 0, bytes(KB, 0))
    cache.forget(1)
    expect(cache.size).toBe(1)
    expect(cache.bytes).toBe(KB)
    expect(cache.get(11, 'bb', 0)).toBeDefined()
  })
})

describe('reads through the member cache', () => {
  let root: string
  let pristine: string
  let all: StoredEvent[]
  let firstSealed: number

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'lhs-member-cache-'))
    pristine = `${root}/store`
    const writer = await EventStore.open(pristine, { create: true, segmentBytesMax: 256 * KB })
    for (let i = 0; i < 1500; i += 100) {
      await writer.appendBatch(
        Array.from({ length: 100 }, (_, k) => ({
          event_type: 'moved',
          aggregate_id: `agg-${(i + k) % 9}`,
          data: { i: i + k, text: 'x'.repeat(400) },
        })),
      )
    }
    await writer.idle()
    await writer.close()
    const reader = await EventStore.open(pristine, { access: 'read' })
    all = []
    await reader.readAll((event) => all.push(event))
    const sealed = reader.inspect().segments.filter((s) => s.sealed)
    firstSealed = Number(/(\d{10})/.exec(sealed[0]!.name)![1])
    await reader.close()
  })

  afterAll(() => rmSync(root, { recursive: true, force: true }))

  function copyStore(): string {
    const dir = mkdtempSync(join(root, 'copy-'))
    cpSync(pristine, dir, { recursive: true })
    return dir
  }

  function manifestOf(dir: string, n: number): SegmentManifest {
    return JSON.parse(readFileSync(`${dir}/${manifestName(n)}`, 'utf8')) as SegmentManifest
  }

  function segmentOf(dir: string, n: number): SegmentInfo {
    const m = manifestOf(dir, n)
    return {
      segmentNumber: n,
      name: sealedName(n),
      sealed: true,
      firstSequence: m.first_sequence,
      lastSequence: m.last_sequence,
      records: m.records,
      bytes: m.gz_bytes,
      rawBytes: m.raw_bytes,
    }
  }

  /** A file system that counts how often a sealed (gzip) file is opened. */
  function countingGzipOpens(): { fs: FileSystem; opens: () => number } {
    let opens = 0
    const fs: FileSystem = Object.create(nodeFileSystem) as FileSystem
    fs.open = (path, mode) => {
      if (path.endsWith('.log.gz')) opens++
      return nodeFileSystem.open(path, mode)
    }
    return { fs, opens: () => opens }
  }

  it('inflates a member once: the next get from that member reads no gzip file', async () => {
    const { fs, opens } = countingGzipOpens()
    const indexes = new SegmentIndexes(fs, pristine)
    const segment = segmentOf(pristine, firstSealed)
    const first = segment.firstSequence
    expect(await indexes.findBySequence(segment, first + 1)).toEqual(all[first])
    expect(opens()).toBe(1)
    expect(await indexes.findBySequence(segment, first + 2)).toEqual(all[first + 1])
    expect(opens()).toBe(1)
    expect(indexes.members.cache.size).toBe(1)
  })

  it('answers the same with a cache too small for one member as with the default', async () => {
    const segment = segmentOf(pristine, firstSealed)
    const wanted = [segment.firstSequence, segment.firstSequence + 150, segment.lastSequence]
    const cached = await new SegmentIndexes(nodeFileSystem, pristine).readSequences(segment, wanted)
    const tiny = new SegmentIndexes(nodeFileSystem, pristine, undefined, KB)
    const uncached = await tiny.readSequences(segment, wanted)
    expect(tiny.members.cache.bytes).toBe(0)
    expect([...uncached!.values()]).toEqual([...cached!.values()])
    expect([...uncached!.keys()]).toEqual(wanted)
  })

  it('drops the cached members of a segment whose index is loaded again (sealed anew)', async () => {
    const indexes = new SegmentIndexes(nodeFileSystem, pristine)
    const segment = segmentOf(pristine, firstSealed)
    await indexes.findBySequence(segment, segment.firstSequence)
    expect(indexes.members.cache.size).toBe(1)
    expect(await indexes.load(firstSealed)).toBeNull()
    expect(indexes.members.cache.size).toBe(0)
  })

  it('puts the store into needs_recovery for a damaged member, however often it is read', async () => {
    const dir = copyStore()
    const manifest = manifestOf(dir, firstSealed)
    const store = await EventStore.open(dir, { access: 'read' })
    try {
      // Member 0 is read and cached before member 2 is damaged.
      expect(await store.getBySequence(manifest.first_sequence)).toEqual(
        all[manifest.first_sequence - 1],
      )
      const gzStart = manifest.members[2]![1]
      const gzEnd = manifest.members[3]![1]
      flipByte(`${dir}/${sealedName(firstSealed)}`, Math.floor((gzStart + gzEnd) / 2), 0xff)
      const summary = decodeIndexSummary(readFileSync(`${dir}/${indexName(firstSealed)}`))
      if (typeof summary === 'string') throw new Error(summary)
      const damagedSequence = summary.members[2 * MEMBER_STRIDE]!
      for (let attempt = 0; attempt < 2; attempt++) {
        await expect(store.getBySequence(damagedSequence)).rejects.toBeInstanceOf(CorruptionError)
      }
      expect(store.mode).toBe('needs_recovery')
      expect(store.indexes.members.cache.size).toBe(1)
    } finally {
      await store.close()
    }
  })
})
