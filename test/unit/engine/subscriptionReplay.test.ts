import { readdirSync, readFileSync, unlinkSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { EventStore } from '../../../src/main/engine/eventStore'
import { readEventBatches, replay, replayEvents } from '../../../src/main/engine/replay'
import { decodeEventBatch } from '../../../src/main/engine/eventBatchDecoder'
import { buildEvent, decodeEvent, encodeEvent } from '../../../src/main/engine/eventCodec'
import type { JsonValue } from '../../../src/shared/event'
import { openSealedSource } from '../../../src/main/engine/sealedSource'
import { CorruptionError, ValidationError } from '../../../src/main/engine/errors'
import { nodeFileSystem } from '../../../src/main/engine/nodeFileSystem'
import { readRecord, RECORD_HEADER_BYTES } from '../../../src/main/engine/recordCodec'
import { EVENT_BYTES_MAX } from '../../../src/main/engine/limits'
import { SEGMENT_HEADER_BYTES } from '../../../src/main/engine/segmentHeader'
import { CountingFileSystem } from '../../support/countingFileSystem'
import { flipByte } from '../../support/corrupt'
import { firstSealed, numberedEvent, storeWith } from '../../support/sealedStore'
import { mulberry32 } from '../../support/random'

/**
 * Replay: stored events from a position, decoded, a read window at a time; sealed segments
 * are inflated member by member. Seeded where random; replay a run with
 *   SEED=<seed> npx vitest run test/unit/engine/subscriptionReplay.test.ts
 */
const SEED = process.env.SEED ? Number(process.env.SEED) : Math.floor(Math.random() * 2 ** 31)
console.log(
  `replay: SEED=${SEED} (replay: SEED=${SEED} npx vitest run test/unit/engine/subscriptionReplay.test.ts)`,
)

describe('replay', () => {
  it('hands over every event from a position, in order, across sealed and raw segments', async () => {
    const store = await storeWith(700, { segmentBytesMax: 16 * 1024 })
    const files = readdirSync(store.files.dir)
    expect(files.filter((f) => f.endsWith('.log.gz')).length).toBeGreaterThan(3)
    expect(files.filter((f) => f.endsWith('.log')).length).toBe(1)
    const all: number[] = []
    await store.readAll((e) => all.push(e.sequence))
    for (const from of [1, 2, 137, 350, 699, 700, 701]) {
      const seen: number[] = []
      const count = await replay(store, from, (e) => {
        seen.push(e.sequence)
      })
      expect(seen).toEqual(all.filter((s) => s >= from))
      expect(count).toBe(seen.length)
    }
    const iterated: number[] = []
    for await (const e of replayEvents(store, 600)) iterated.push(e.sequence)
    expect(iterated).toEqual(all.filter((s) => s >= 600))
    await store.close()
  })

  it('decodes events exactly as readAll does', async () => {
    const store = await storeWith(250, { segmentBytesMax: 8192 })
    const expected: unknown[] = []
    await store.readAll((e) => expected.push(e))
    const replayed: unknown[] = []
    for await (const e of replayEvents(store, 1)) replayed.push(e)
    expect(replayed).toEqual(expected)
    await store.close()
  })

  it('waits for a slow consumer: nothing more is read until it asks', async () => {
    const store = await storeWith(300, { segmentBytesMax: 8192 })
    const seen: number[] = []
    await replay(store, 1, async (e) => {
      seen.push(e.sequence)
      if (e.sequence % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 1))
    })
    expect(seen).toEqual(Array.from({ length: 300 }, (_, i) => i + 1))
    await store.close()
  })

  it('stopping a replay early leaves no file open', async () => {
    const fs = new CountingFileSystem()
    const store = await storeWith(400, { segmentBytesMax: 8192, fs })
    const openBefore = fs.opened - fs.closed
    let taken = 0
    for await (const e of replayEvents(store, 10)) {
      expect(e.sequence).toBe(10 + taken)
      if (++taken === 25) break
    }
    expect(fs.opened - fs.closed).toBe(openBefore)
    await store.close()
  })

  it('a replay covers what was stored when it started, not events appended meanwhile', async () => {
    const store = await storeWith(50)
    const seen: number[] = []
    for await (const batch of readEventBatches(store, 1)) {
      seen.push(...batch.events.map((e) => e.sequence))
      await store.append(numberedEvent(1000))
    }
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => i + 1))
    await store.close()
  })

  it.each([0, -1, 1.5, Number.NaN])(
    'refuses fromSequence %s with a validation error',
    async (from) => {
      const store = await storeWith(1)
      await expect(replay(store, from, () => undefined)).rejects.toThrow(ValidationError)
      await expect(replay(store, from, () => undefined)).rejects.toThrow('fromSequence')
      await store.close()
    },
  )

  it('checks payload digests only when asked (checkDigest)', async () => {
    const store = await storeWith(5)
    const log = readdirSync(store.files.dir).find((n) => n.endsWith('.log'))!
    const path = `${store.files.dir}/${log}`
    const bytes = readFileSync(path)
    // The last byte of the first record is part of its SHA-256: the payload stays decodable.
    const firstLength = bytes.readUInt32BE(SEGMENT_HEADER_BYTES + 8)
    flipByte(path, SEGMENT_HEADER_BYTES + RECORD_HEADER_BYTES + firstLength + 31)
    expect(await replay(store, 1, () => undefined)).toBe(5)
    const checked = replay(store, 1, () => undefined, { checkDigest: true })
    await expect(checked).rejects.toThrow(CorruptionError)
    await expect(replay(store, 1, () => undefined, { checkDigest: true })).rejects.toThrow(
      'payload SHA-256 mismatch',
    )
    await store.close()
  })
})

describe('sealed segments are read member by member', () => {
  it('any read gives the same bytes as inflating the whole file (seeded random reads)', async () => {
    const store = await storeWith(3000, { segmentBytesMax: 1024 * 1024 })
    const { gzPath, manifest, number } = firstSealed(store.files.dir)
    expect(manifest.members.length).toBeGreaterThan(3)
    const whole = gunzipSync(readFileSync(gzPath))
    const source = await openSealedSource(nodeFileSystem, store.files.dir, number)
    expect(source.size).toBe(whole.length)
    expect(source.memberOffsets).toEqual(manifest.members.map(([raw]) => raw))
    const random = mulberry32(SEED)
    for (let i = 0; i < 200; i++) {
      const position = Math.floor(random() * whole.length)
      const length = Math.floor(random() * 300_000)
      const read = await source.read(position, length)
      expect(read.equals(whole.subarray(position, position + length))).toBe(true)
    }
    await source.close()
    await store.close()
  })

  it('starting in the middle of a large sealed segment inflates a few members, not all before it', async () => {
    const fs = new CountingFileSystem()
    const store = await storeWith(6000, { segmentBytesMax: 2 * 1024 * 1024, fs })
    const { gzPath, manifest } = firstSealed(store.files.dir)
    const gzName = gzPath.split('/').at(-1)!
    const middle = Math.floor((manifest.first_sequence + manifest.last_sequence) / 2)
    const wanted = manifest.last_sequence - middle + 1
    fs.resetCounts()
    let seen = 0
    for await (const batch of readEventBatches(store, middle, {
      toSequence: manifest.last_sequence,
    })) {
      seen += batch.events.length
    }
    expect(seen).toBe(wanted)
    const fromMiddle = fs.bytesReadOf((n) => n === gzName)
    fs.resetCounts()
    await replay(store, manifest.first_sequence, () => undefined, {
      toSequence: manifest.last_sequence,
    })
    const fromStart = fs.bytesReadOf((n) => n === gzName)
    console.log(
      `sealed segment of ${manifest.members.length} members (${manifest.gz_bytes} gzip bytes): ` +
        `gzip bytes read from its middle ${fromMiddle}, from its start ${fromStart}`,
    )
    expect(fromStart).toBeGreaterThanOrEqual(manifest.gz_bytes)
    expect(fromMiddle).toBeLessThan(manifest.gz_bytes * 0.75)
    await store.close()
  })

  it("a damaged gzip member is corruption at that member's raw offset; no event after it is handed out", async () => {
    const store = await storeWith(3000, { segmentBytesMax: 1024 * 1024 })
    const { gzPath, manifest } = firstSealed(store.files.dir)
    const member = 2
    const [rawStart, gzStart] = manifest.members[member]!
    const intact = gunzipSync(readFileSync(gzPath))
    let before = 0 // events whose records end before the damaged member starts
    for (let at = SEGMENT_HEADER_BYTES; at < rawStart; before++) {
      const read = readRecord(intact, at, { checkDigest: false, payloadLengthMax: EVENT_BYTES_MAX })
      if (read.kind !== 'record') throw new Error(`no record at ${at}`)
      at = read.end
    }
    flipByte(gzPath, gzStart + 200, 0xff)
    const seen: number[] = []
    const error = await replay(store, 1, (e) => void seen.push(e.sequence)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CorruptionError)
    const corruption = error as CorruptionError
    expect(corruption.segment).toBe(gzPath.split('/').at(-1))
    expect(corruption.offset).toBe(rawStart)
    expect(corruption.reason).toMatch(/gzip member 2/)
    expect(seen).toEqual(Array.from({ length: seen.length }, (_, i) => i + 1))
    expect(seen.length).toBeLessThanOrEqual(before)
    await store.close()
  })

  it('members inflated in one run with a damaged one still read on their own', async () => {
    const store = await storeWith(3000, { segmentBytesMax: 1024 * 1024 })
    const { gzPath, manifest, number } = firstSealed(store.files.dir)
    const whole = gunzipSync(readFileSync(gzPath))
    const [rawStart, gzStart] = manifest.members[2]!
    flipByte(gzPath, gzStart + 200, 0xff)
    const source = await openSealedSource(nodeFileSystem, store.files.dir, number)
    // Members 0 to 2 are one run: it does not inflate whole, so each member is tried alone.
    await expect(source.read(0, rawStart + 1)).rejects.toThrow(/gzip member 2/)
    expect((await source.read(0, rawStart)).equals(whole.subarray(0, rawStart))).toBe(true)
    await source.close()
    await store.close()
  })

  it('without its manifest a sealed segment is inflated whole and still replays', async () => {
    const store = await storeWith(800, { segmentBytesMax: 16 * 1024 })
    const dir = store.files.dir
    await store.close()
    const manifests = readdirSync(dir).filter((n) => n.endsWith('.manifest.json'))
    unlinkSync(`${dir}/${manifests[0]!}`)
    const reader = await EventStore.open(dir, { access: 'read' })
    const seen: number[] = []
    await replay(reader, 1, (e) => {
      seen.push(e.sequence)
    })
    expect(seen).toEqual(Array.from({ length: 800 }, (_, i) => i + 1))
    await reader.close()
  })
})

describe('decodeEventBatch', () => {
  /** randomJson makes every kind of value the writer encodes, at every integer width. */
  function randomJson(random: () => number, depth: number): JsonValue {
    const pick = Math.floor(random() * (depth > 2 ? 7 : 9))
    const widths = [1, 100, 200, 40_000, 70_000, 2 ** 31, 2 ** 33, 2 ** 52]
    switch (pick) {
      case 0:
        return null
      case 1:
        return random() < 0.5
      case 2:
        return (
          Math.floor(random() * widths[Math.floor(random() * widths.length)]!) *
          (random() < 0.5 ? -1 : 1)
        )
      case 3:
        return (random() - 0.5) * 10 ** Math.floor(random() * 12)
      case 4:
        return 'aé漢😀 x'.repeat(Math.floor(random() * 10)).slice(0, Math.floor(random() * 40))
      case 5:
        return 'ascii '.repeat(Math.floor(random() * 60))
      case 6:
        return ''
      case 7:
        return Array.from({ length: Math.floor(random() * 20) }, () =>
          randomJson(random, depth + 1),
        )
      default: {
        const object: { [key: string]: JsonValue } = {}
        const keys = Math.floor(random() * 18)
        for (let k = 0; k < keys; k++)
          object[`k${Math.floor(random() * 40)}é`] = randomJson(random, depth + 1)
        return object
      }
    }
  }

  it('decodes exactly as decodeEvent does, every value kind (seeded random events)', () => {
    const random = mulberry32(SEED)
    const payloads: Buffer[] = []
    for (let i = 1; i <= 400; i++) {
      const data = randomJson(random, 0)
      const input = {
        event_type: `type-${i % 5}`,
        aggregate_id: `agg-${i}`,
        correlation_id: random() < 0.5 ? null : `c-${i}`,
        data:
          typeof data === 'object' && data !== null && !Array.isArray(data)
            ? data
            : { value: data },
        metadata: { n: i, nested: { list: [i, -i, i / 3] } },
      }
      const assigned = {
        sequence: i,
        eventId: `${1_000_000 + i}_${i}_node`,
        appendedAtMs: 1_800_000_000_000 + i,
      }
      payloads.push(Buffer.from(encodeEvent(buildEvent(input, assigned), '')))
    }
    expect(decodeEventBatch(payloads)).toEqual(payloads.map((p) => decodeEvent(p)))
    expect(decodeEventBatch(payloads.slice(7, 8))).toEqual([decodeEvent(payloads[7]!)])
  })

  it('a damaged payload in a batch fails as decodeEvent fails on it', () => {
    const assigned = (i: number) => ({ sequence: i, eventId: `${i}_${i}_n`, appendedAtMs: 0 })
    const payloads = [1, 2, 3].map((i) =>
      Buffer.from(encodeEvent(buildEvent({ event_type: 't', aggregate_id: 'a' }, assigned(i)), '')),
    )
    const cut = payloads[1]!.subarray(0, 20)
    payloads[1] = cut
    const expected = (() => {
      try {
        decodeEvent(cut)
      } catch (error) {
        return error
      }
      throw new Error('a cut payload decoded')
    })()
    expect(() => decodeEventBatch(payloads)).toThrow((expected as Error).message)
  })
})
