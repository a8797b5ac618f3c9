// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import {
  CSV_COLUMNS,
  csvField,
  toCsv,
  toNdjson,
} from '../../../../src/renderer/src/views/query/exportResults'
import { queriedEvent } from '../fixtures'

describe('csvField', () => {
  it.each([
    ['plain text stays bare', 'robot-1', 'robot-1'],
    ['a number is written as is', 42, '42'],
    ['a boolean is written as is', false, 'false'],
    ['null is an empty field', null, ''],
    ['a missing value is an empty field', undefined, ''],
    ['a comma is quoted', 'a,b', '"a,b"'],
    ['a quote is doubled inside quotes', 'say "hi"', '"say ""hi"""'],
    ['a newline is quoted', 'line 1\nline 2', '"line 1\nline 2"'],
    ['a carriage return is quoted', 'a\rb', '"a\rb"'],
    ['an edge space is quoted', ' padded', '" padded"'],
    ['an object becomes quoted JSON', { a: 1, b: 'x,y' }, '"{""a"":1,""b"":""x,y""}"'],
    ['an array becomes quoted JSON', [1, 2], '"[1,2]"'],
    ['an empty object is bare JSON', {}, '{}'],
  ])('%s', (_claim, value, expected) => {
    expect(csvField(value)).toBe(expected)
  })
})

describe('toCsv', () => {
  it('writes a header and one CRLF-terminated row per event, every field in order', () => {
    const event = queriedEvent(7, {
      data: { note: 'stop, "now"\nplease' },
      correlation_id: null,
      idempotency_key: 'key-1',
    })
    const lines = toCsv([event]).split('\r\n')
    expect(lines[0]).toBe(CSV_COLUMNS.join(','))
    expect(lines[1]).toBe(
      [
        '7',
        event.event_id,
        event.timestamp,
        'command_executed',
        'robot',
        'robot-1',
        '',
        'cause-6',
        'agent-1',
        'scheduler',
        '1',
        'key-1',
        '"{""note"":""stop, \\""now\\""\\nplease""}"',
        '"{""user"":""ops""}"',
      ].join(','),
    )
    expect(lines[2]).toBe('')
  })

  it('leaves data and metadata empty when the query left them out', () => {
    const { data: _data, metadata: _metadata, ...bare } = queriedEvent(1)
    expect(toCsv([bare]).split('\r\n')[1]?.endsWith(',,')).toBe(true)
  })

  it('writes only the header for no events', () => {
    expect(toCsv([])).toBe(`${CSV_COLUMNS.join(',')}\r\n`)
  })
})

describe('toNdjson', () => {
  it('writes one parseable event per line, newlines in strings escaped', () => {
    const events = [queriedEvent(1, { data: { text: 'a\nb' } }), queriedEvent(2)]
    const text = toNdjson(events)
    const lines = text.split('\n')
    expect(lines).toHaveLength(3)
    expect(lines[2]).toBe('')
    expect(lines.slice(0, 2).map((line) => JSON.parse(line) as unknown)).toEqual(events)
  })
})
