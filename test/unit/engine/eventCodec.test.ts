import { describe, expect, it } from 'vitest'
import { decode as standardDecode, encode as standardEncode } from '@msgpack/msgpack'
import { buildEvent, decodeEvent, encodeEvent } from '../../../src/main/engine/eventCodec'
import { ValidationError } from '../../../src/main/engine/errors'
import { EventStore } from '../../../src/main/engine/eventStore'
import { tempDir } from '../../support/tempDir'

const assigned = {
  sequence: 7,
  eventId: '1795751634229000000_7_node-a',
  appendedAtMs: Date.UTC(2026, 10, 27, 10),
}
const valid = { event_type: 'agent_registered', aggregate_id: 'agent-7' }

function validationOf(input: unknown): ValidationError {
  try {
    encodeEvent(buildEvent(input, assigned), '')
  } catch (error) {
    if (error instanceof ValidationError) return error
    throw error
  }
  throw new Error('expected a ValidationError')
}

describe('event validation', () => {
  it('fills the defaults of the original event model', () => {
    const event = buildEvent(valid, assigned)
    expect(event).toEqual({
      event_id: assigned.eventId,
      sequence: 7,
      event_type: 'agent_registered',
      aggregate_id: 'agent-7',
      aggregate_type: 'unknown',
      timestamp: '2026-11-27T10:00:00.000Z',
      correlation_id: null,
      causation_id: null,
      data: {},
      metadata: {},
      source_agent: null,
      source_component: 'unknown',
      schema_version: 1,
    })
  })

  it.each([
    [{ aggregate_id: 'a' }, 'event_type', 'is required'],
    [{ event_type: 'x' }, 'aggregate_id', 'is required'],
    [{ ...valid, aggregate_id: 'a'.repeat(257) }, 'aggregate_id', 'limit of 256'],
    [{ ...valid, correlation_id: 5 }, 'correlation_id', 'must be a string'],
    [{ ...valid, timestamp: '2026-11-27 10:00' }, 'timestamp', 'ISO-8601'],
    [{ ...valid, timestamp: '2026-11-27T10:00:00' }, 'timestamp', 'time zone'],
    [{ ...valid, schema_version: 0 }, 'schema_version', '1 to 2147483647'],
    [{ ...valid, data: [] }, 'data', 'JSON object'],
    [{ ...valid, data: { x: Number.NaN } }, 'data.x', 'finite'],
    [{ ...valid, sequence: 3 }, 'sequence', 'the store assigns it'],
    [{ ...valid, colour: 'red' }, 'colour', 'not an event field'],
  ])('refuses %j naming the field %s', (input, field, words) => {
    const error = validationOf(input)
    expect(error.field).toBe(field)
    expect(error.message).toContain(words)
  })

  it('refuses nesting deeper than the limit, naming it', () => {
    let data: Record<string, unknown> = {}
    const root = data
    for (let i = 0; i < 70; i++) data = data.next = {}
    expect(validationOf({ ...valid, data: root }).message).toContain('NESTING_DEPTH_MAX')
  })

  it('refuses an event over 1 MiB encoded with code event_too_large', () => {
    const event = buildEvent({ ...valid, data: { blob: 'x'.repeat(1024 * 1024) } }, assigned)
    expect(() => encodeEvent(event, '')).toThrow(/EVENT_BYTES_MAX/)
    try {
      encodeEvent(event, '')
    } catch (error) {
      expect((error as ValidationError).code).toBe('event_too_large')
    }
  })

  it.each(['__proto__', 'constructor', 'prototype'])(
    'refuses the key %s anywhere in data or metadata',
    (key) => {
      const nested = JSON.parse(`{"a":[{"b":{"${key}":{"polluted":true}}}]}`) as object
      expect(validationOf({ ...valid, data: nested }).field).toBe(`data.a[0].b.${key}`)
      expect(validationOf({ ...valid, metadata: JSON.parse(`{"${key}":1}`) as object }).field).toBe(
        `metadata.${key}`,
      )
      expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    },
  )

  it('decoding a payload that carries __proto__ does not pollute any prototype', () => {
    // Written by another tool, not by this store: a standard encoder keeps the key as is.
    const hostile = standardEncode(JSON.parse('{"data":{"__proto__":{"polluted":true}}}'))
    const decoded = decodeEvent(hostile) as unknown as { data: Record<string, unknown> }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.getPrototypeOf(decoded.data)).toBe(Object.prototype)
    expect((decoded.data as { polluted?: unknown }).polluted).toBeUndefined()
  })

  it('encodes plain MessagePack that a standard decoder reads back exactly', () => {
    const event = buildEvent(
      { ...valid, data: { n: 1.5, big: 2 ** 40, list: [1, 'two', null, true], nested: { a: {} } } },
      assigned,
    )
    expect(standardDecode(encodeEvent(event, ''))).toEqual(event)
  })
})

describe('MessagePack encoding', () => {
  it('writes every integer width, floats, and UTF-8 strings as a standard decoder reads them', () => {
    const numbers = [0, 1, 127, 128, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1]
    const values = {
      positive: numbers,
      // -0 has no integer form in MessagePack (nor in JSON); it comes back as 0.
      negative: numbers
        .slice(1)
        .map((n) => -n)
        .concat([-32, -33, -128, -129, -32768, -32769, -(2 ** 31), -(2 ** 31) - 1]),
      floats: [0.5, -1.25, 1e300, 2 ** 60],
      strings: [
        '',
        'a'.repeat(31),
        'b'.repeat(32),
        'c'.repeat(255),
        'd'.repeat(256),
        'e'.repeat(70000),
        'häßlich ✓ 🚀',
      ],
      long: Array.from({ length: 20 }, (_, i) => i),
      wide: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i])),
    }
    const event = buildEvent({ ...valid, data: values }, assigned)
    expect(standardDecode(encodeEvent(event, ''))).toEqual(event)
    expect(decodeEvent(encodeEvent(event, ''))).toEqual(event)
  })
})

describe('correlation and causation', () => {
  it('are stored, returned and queryable (the original system crashed when they were set)', async () => {
    const store = await EventStore.open(`${tempDir()}/store`, { create: true })
    await store.append({ ...valid, correlation_id: 'corr-1' })
    await store.append({ ...valid, correlation_id: 'corr-1', causation_id: 'cmd-1' })
    await store.append({ ...valid, correlation_id: 'corr-2' })
    const chain = await store.query({ correlation_id: 'corr-1' })
    expect(chain.events.map((e) => [e.sequence, e.correlation_id, e.causation_id])).toEqual([
      [1, 'corr-1', null],
      [2, 'corr-1', 'cmd-1'],
    ])
    expect((await store.query({ causation_id: 'cmd-1' })).events.map((e) => e.sequence)).toEqual([
      2,
    ])
    await store.close()
  })
})
