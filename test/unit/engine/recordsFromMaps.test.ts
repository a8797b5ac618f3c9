import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { Packr, Unpackr } from 'msgpackr'
import { buildEvent, encodeEvent } from '../../../src/main/engine/eventCodec'
import {
  RECORD_KEYS_MAX,
  RECORDS_DEPTH_MAX,
  RECORDS_PER_RUN_MAX,
  recordsFromMaps,
} from '../../../src/main/engine/recordsFromMaps'

/**
 * recordsFromMaps is a rewrite the replaying thread trusts to decode to exactly the values
 * stored: every test decodes the rewrite and the stored bytes with the engine's decoder
 * options and wants the same values, keys in the same order.
 */
const SEED = Number(process.env.SEED ?? Date.now() % 2 ** 31)
console.log(
  `recordsFromMaps: SEED=${SEED} (replay: SEED=${SEED} npx vitest run test/unit/engine/recordsFromMaps.test.ts)`,
)

const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' })
const packr = new Packr({ useRecords: false, useFloat32: 0 })

/** run lays out values' encodings back to back, or with `gap` bytes of filler between. */
function run(encoded: Uint8Array[], gap = 0): { source: Buffer; starts: number[]; ends: number[] } {
  const parts: Uint8Array[] = []
  const starts: number[] = []
  const ends: number[] = []
  let at = 0
  for (const value of encoded) {
    parts.push(Buffer.alloc(gap, 0xc1), value)
    at += gap
    starts.push(at)
    at += value.length
    ends.push(at)
  }
  return { source: Buffer.concat(parts), starts, ends }
}

/** expectSameValues rewrites the run and wants what the stored values decode to. */
function expectSameValues(encoded: Uint8Array[], gap = 0): Uint8Array {
  const { source, starts, ends } = run(encoded, gap)
  const rewritten = recordsFromMaps(source, starts, ends)
  expect(rewritten).not.toBeNull()
  const { bytes, ends: rewrittenEnds } = rewritten!
  expect(rewrittenEnds.length).toBe(encoded.length)
  expect(rewrittenEnds.at(-1) ?? 0).toBe(bytes.length)
  const stored = encoded.map((value) => unpackr.unpack(value) as unknown)
  const decoded = encoded.length === 0 ? [] : unpackr.unpackMultiple(Buffer.from(bytes))
  expect(decoded).toStrictEqual(stored)
  expect(JSON.stringify(decoded)).toBe(JSON.stringify(stored))
  return bytes
}

function rewrite(encoded: Uint8Array[]) {
  const { source, starts, ends } = run(encoded)
  return recordsFromMaps(source, starts, ends)
}

// Keys from a small pool, so maps of the same keys repeat (records are reused) and maps of
// different keys share a key count (the likely structure is wrong); some beyond ASCII, some
// long enough for str8, and the names a decoder treats specially.
const key = fc.oneof(
  fc.constantFrom('a', 'b', 'id', 'name', 'event_type', '__proto__', 'ключ', '1', 'x'.repeat(40)),
  fc.string({ maxLength: 12 }),
)
const scalar = fc.oneof(
  fc.integer({ min: 0, max: 200 }),
  fc.integer(),
  fc.double(),
  fc.constant(2 ** 40),
  fc.string({ maxLength: 80 }),
  fc.string({ minLength: 300, maxLength: 600 }),
  fc.boolean(),
  fc.constant(null),
  fc.uint8Array({ maxLength: 40 }),
)
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(key, tie('value'), { maxKeys: 6 }),
    fc
      .tuple(fc.constantFrom(['a', 'b'], ['b', 'a'], ['id', 'name', 'a']), fc.array(tie('value')))
      .map(([keys, values]) => Object.fromEntries(keys.map((k, i) => [k, values[i] ?? i]))),
  ),
}))

describe('recordsFromMaps', () => {
  it('decodes to the same values, keys in the same order (seeded random values)', () => {
    let rewritten = 0
    fc.assert(
      fc.property(fc.array(value, { maxLength: 30 }), fc.nat(3), (values, gap) => {
        const encoded = values.map((v) => packr.pack(v))
        const { source, starts, ends } = run(encoded, gap)
        // None when maps that give up being records read too much again (REREAD_RUNS_MAX).
        if (recordsFromMaps(source, starts, ends) === null) return
        rewritten++
        expectSameValues(encoded, gap)
      }),
      { seed: SEED, numRuns: 400 },
    )
    expect(rewritten).toBeGreaterThan(360)
  })

  it('decodes stored events to the same events, in fewer bytes', () => {
    const data = fc
      .jsonValue({ maxDepth: 3 })
      // Keys an append refuses (RESERVED_KEYS) are never stored.
      .filter((json) => !/"(__proto__|constructor|prototype)":/.test(JSON.stringify(json)))
      .map((json) => ({ json, kind: 'load' }))
    fc.assert(
      fc.property(fc.array(data, { minLength: 2, maxLength: 40 }), (datas) => {
        const payloads = datas.map((d, i) => {
          const input = { event_type: 't', aggregate_id: `a-${i}`, data: d, metadata: { n: i } }
          const built = buildEvent(input, {
            sequence: i + 1,
            eventId: `1_${i + 1}_n`,
            appendedAtMs: 0,
          })
          // A copy: encodeEvent answers with a view of a buffer it reuses.
          return Buffer.from(encodeEvent(built, ''))
        })
        const bytes = expectSameValues(payloads)
        const stored = payloads.reduce((sum, p) => sum + p.length, 0)
        // The keys of every event after the first are dropped.
        expect(bytes.length).toBeLessThan(stored)
      }),
      { seed: SEED + 1, numRuns: 100 },
    )
  })

  it('writes the integers 64 to 127 so that they are not read as record ids', () => {
    const values = [{ a: 64 }, { a: 100 }, 127, [64, 65, 126], { a: 0x40 }, 63, 128]
    expectSameValues(values.map((v) => packr.pack(v)))
  })

  it('defines a record first where a map holds a map of the same keys', () => {
    const nested = { a: { a: 1, b: 2 }, b: { a: { a: 3, b: 4 }, b: 5 } }
    expectSameValues([packr.pack(nested), packr.pack({ a: 6, b: 7 }), packr.pack(nested)])
  })

  it('forgets the records a map defined when it stays a map (a key beyond ASCII after them)', () => {
    const values = [
      { a: { x: 1 }, b: { y: 2 }, ключ: 3 },
      { a: { x: 4 }, b: { y: 5 }, c: 6 },
      { a: { y: 7 }, b: { x: 8 }, c: 9 },
      { a: { x: 10 }, b: { y: 11 }, ключ: 12 },
    ]
    expectSameValues(values.map((v) => packr.pack(v)))
  })

  it('rewrites a few maps that give up being records; past REREAD_RUNS_MAX, none, and at once', () => {
    // Each level holds the next one, then a key beyond ASCII: every level gives up after
    // its inner ones. Reading each level's inside again as records would take 2^depth steps.
    const givingUp = (depth: number) => {
      let nested: unknown = 0
      for (let i = 0; i < depth; i++) nested = { a: nested, é: i }
      return [packr.pack(nested), packr.pack({ a: 1 })]
    }
    expectSameValues(givingUp(3))
    expect(rewrite(givingUp(60))).toBeNull()
    // The same with no ids left: 64 key lists, then maps of new ones inside each other.
    const shapes = Array.from({ length: RECORDS_PER_RUN_MAX }, (_, i) => ({ [`s${i}`]: i }))
    const chain = (depth: number) => {
      let nested: unknown = 0
      for (let i = 0; i < depth; i++) nested = { [`z${i}`]: nested }
      return [...shapes, nested].map((v) => packr.pack(v))
    }
    expectSameValues(chain(3))
    expect(rewrite(chain(60))).toBeNull()
  })

  it('defines records of 16 to RECORD_KEYS_MAX keys (a longer array of keys)', () => {
    const wide = (n: number, at: number) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, at + i]))
    const values = [16, RECORD_KEYS_MAX, 16, RECORD_KEYS_MAX].map((n, at) => wide(n, at))
    const bytes = expectSameValues(values.map((v) => packr.pack(v)))
    // Both key lists written once: the maps became records.
    const text = Buffer.from(bytes).toString('latin1')
    expect(text.indexOf('k63')).toBe(text.lastIndexOf('k63'))
  })

  it(`keeps maps of more than RECORD_KEYS_MAX (${RECORD_KEYS_MAX}) keys, and maps of non-string keys, as maps`, () => {
    const wide = Object.fromEntries(
      Array.from({ length: RECORD_KEYS_MAX + 1 }, (_, i) => [`k${i}`, i]),
    )
    const numberKeys = new Map<unknown, unknown>([
      [1, 'one'],
      [70, 'seventy'],
    ])
    const values = [wide, wide, numberKeys, { inner: numberKeys }, { inner: numberKeys }]
    const bytes = expectSameValues(values.map((v) => packr.pack(v)))
    // The wide map's keys are written twice: it stays a map.
    expect(Buffer.from(bytes).indexOf('k64', 0)).not.toBe(Buffer.from(bytes).lastIndexOf('k64'))
  })

  it(`defines at most RECORDS_PER_RUN_MAX (${RECORDS_PER_RUN_MAX}) records in a run; maps of more key lists stay maps`, () => {
    const values = Array.from({ length: 3 * RECORDS_PER_RUN_MAX }, (_, i) => ({
      [`key${i % (RECORDS_PER_RUN_MAX + 20)}`]: i,
      same: true,
    }))
    expectSameValues(values.map((v) => packr.pack(v)))
  })

  it('gives null for what it does not rewrite: extension types, and nesting past RECORDS_DEPTH_MAX', () => {
    const timestamp = new Packr({ useRecords: false }).pack({ at: new Date(0) })
    expect(timestamp.includes(0xd6) || timestamp.includes(0xd7)).toBe(true)
    expect(rewrite([packr.pack({ a: 1 }), timestamp])).toBeNull()
    let deep: unknown = 1
    for (let i = 0; i <= RECORDS_DEPTH_MAX; i++) deep = [deep]
    expect(rewrite([packr.pack(deep)])).toBeNull()
    let shallow: unknown = 1
    for (let i = 0; i < RECORDS_DEPTH_MAX - 1; i++) shallow = { a: shallow }
    expectSameValues([packr.pack(shallow)])
  })

  it('gives null for a value that is not one whole MessagePack value within its bounds', () => {
    const whole = packr.pack({ name: 'x'.repeat(50), list: [1, 2, 3] })
    const cut = whole.subarray(0, whole.length - 1)
    expect(rewrite([whole, cut])).toBeNull()
    // Two values where one is said to be: the second is not read as part of it.
    expect(rewrite([Buffer.concat([packr.pack(1), packr.pack(2)])])).toBeNull()
    // A count larger than the bytes left.
    expect(rewrite([Buffer.from([0xdd, 0xff, 0xff, 0xff, 0xff, 0x01])])).toBeNull()
    expect(rewrite([Buffer.from([0xdf, 0x00, 0x01, 0x00, 0x00, 0xa1, 0x61])])).toBeNull()
    // The byte MessagePack never uses.
    expect(rewrite([Buffer.from([0x92, 0x01, 0xc1])])).toBeNull()
  })

  it('rewrites no values to nothing', () => {
    expect(recordsFromMaps(Buffer.alloc(0), [], [])).toEqual({
      bytes: new Uint8Array(0),
      ends: new Uint32Array(0),
    })
  })
})
