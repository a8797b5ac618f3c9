import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { buildEvent, decodeEvent, encodeEvent } from '../../../src/main/engine/eventCodec'
import { readIndexedFields } from '../../../src/main/engine/eventFields'

const SEED = Number(process.env.SEED ?? Date.now() % 2 ** 31)
console.log(
  `readIndexedFields: SEED=${SEED} (replay: SEED=${SEED} npx vitest run test/unit/engine/eventFields.test.ts)`,
)

// Strings of every MessagePack length class (fixstr, str8, str16) and beyond ASCII.
const id = fc.oneof(
  fc.string({ minLength: 1, maxLength: 40 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }),
  fc.string({ minLength: 200, maxLength: 256 }),
)
const optionalId = fc.option(id, { nil: null })
const json = fc.jsonValue({ maxDepth: 4 }).map((value) => ({ value }))

const input = fc.record({
  event_type: id,
  aggregate_id: id,
  aggregate_type: id,
  source_agent: optionalId,
  source_component: id,
  correlation_id: optionalId,
  causation_id: optionalId,
  timestamp: fc.integer({ min: 0, max: 4_000_000_000_000 }).map((ms) => new Date(ms).toISOString()),
  data: fc.oneof(json, fc.constant({ big: 2 ** 40, neg: -(2 ** 40), f: 0.5, bin: [true, false] })),
  metadata: json,
})

function encoded(event: unknown, sequence = 7): Buffer {
  const built = buildEvent(event, { sequence, eventId: `1_${sequence}_n`, appendedAtMs: 0 })
  return encodeEvent(built, '')
}

describe('readIndexedFields', () => {
  it('reads the same exact fields and time as a full decode', () => {
    fc.assert(
      fc.property(input, (event) => {
        let payload: Buffer
        try {
          payload = encoded(event)
        } catch {
          return fc.pre(false) // an input the store refuses (a reserved key, say)
        }
        const full = decodeEvent(payload)
        expect(readIndexedFields(payload)).toEqual({
          event_type: full.event_type,
          aggregate_id: full.aggregate_id,
          aggregate_type: full.aggregate_type,
          source_agent: full.source_agent,
          source_component: full.source_component,
          correlation_id: full.correlation_id,
          causation_id: full.causation_id,
          timestamp: full.timestamp,
        })
      }),
      { seed: SEED, numRuns: 300 },
    )
  })

  it('throws on bytes that end inside a value or are not a map', () => {
    const payload = encoded({ event_type: 't', aggregate_id: 'a', data: { x: [1, 'two'] } })
    for (let end = 0; end < payload.length; end++) {
      expect(() => readIndexedFields(payload.subarray(0, end)), `cut at ${end}`).toThrow()
    }
    expect(() => readIndexedFields(Buffer.from([0x92, 0x01, 0x02]))).toThrow(
      /not a MessagePack map/,
    )
  })
})
