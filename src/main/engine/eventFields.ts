import type { StoredEvent } from '../../shared/event'
import type { ExactField } from './eventFilter'
import { INDEX_FIELDS } from './segmentIndex'
import { NESTING_DEPTH_MAX } from './limits'

/** What indexes keep of an event: its exact fields and its time. */
export type IndexedFields = Pick<StoredEvent, ExactField | 'timestamp'>

type Key = keyof IndexedFields

/**
 * How deep a stepped-over value may nest: appends refuse data deeper than NESTING_DEPTH_MAX,
 * so only damaged bytes go deeper, and they must not exhaust the stack.
 */
const SKIP_DEPTH_MAX = 2 * NESTING_DEPTH_MAX

const WANTED: readonly Key[] = [...INDEX_FIELDS, 'timestamp']
/** The wanted keys' bytes by length, to match keys in place without making strings. */
const WANTED_BY_LENGTH = new Map<number, { key: Key; bytes: Buffer }[]>()
for (const key of WANTED) {
  const list = WANTED_BY_LENGTH.get(key.length) ?? []
  list.push({ key, bytes: Buffer.from(key, 'ascii') })
  WANTED_BY_LENGTH.set(key.length, list)
}
/** Strings up to this many bytes are built here when ASCII; a native call costs more. */
const SHORT_STRING_BYTES = 48

/**
 * readIndexedFields reads the exact fields and the time of an encoded event (a MessagePack
 * map) without building its data and metadata, which it steps over: indexing a segment
 * needs these eight strings of each event, and decoding the whole event cost several times
 * more. Missing fields read as null (the timestamp as ''). Bytes that are not an event
 * map, or end too soon, throw.
 */
export function readIndexedFields(payload: Uint8Array): IndexedFields {
  const reader = new FieldReader(payload)
  const fields: Record<string, string | null> = {
    event_type: null,
    aggregate_id: null,
    aggregate_type: null,
    source_agent: null,
    source_component: null,
    correlation_id: null,
    causation_id: null,
    timestamp: '',
  }
  const entries = reader.mapLength()
  for (let i = 0; i < entries; i++) {
    const key = reader.key()
    if (key !== null) fields[key] = reader.string()
    else reader.skip(SKIP_DEPTH_MAX)
  }
  return fields as unknown as IndexedFields
}

/** FieldReader walks MessagePack bytes: map headers, strings, and values it steps over. */
class FieldReader {
  private at = 0

  constructor(private readonly bytes: Uint8Array) {}

  mapLength(): number {
    const tag = this.u8()
    if (tag >= 0x80 && tag <= 0x8f) return tag & 0x0f
    if (tag === 0xde) return this.uint(2)
    if (tag === 0xdf) return this.uint(4)
    throw new Error(`event payload is not a MessagePack map (tag 0x${tag.toString(16)})`)
  }

  /** key reads a map key: which wanted field it names, or null (stepped over) for another. */
  key(): Key | null {
    const tag = this.bytes[this.at]
    if (tag === undefined || tag < 0xa0 || tag > 0xbf) {
      this.skip(1) // a key that is no short string is no field of ours
      return null
    }
    const length = tag & 0x1f
    const start = this.take(1 + length) + 1
    for (const candidate of WANTED_BY_LENGTH.get(length) ?? []) {
      let same = true
      for (let i = 0; i < length && same; i++) same = this.bytes[start + i] === candidate.bytes[i]
      if (same) return candidate.key
    }
    return null
  }

  /** string reads a string, or null for nil; any other type throws. */
  string(): string | null {
    const tag = this.u8()
    if (tag === 0xc0) return null
    const length =
      tag >= 0xa0 && tag <= 0xbf
        ? tag & 0x1f
        : tag === 0xd9
          ? this.uint(1)
          : tag === 0xda
            ? this.uint(2)
            : tag === 0xdb
              ? this.uint(4)
              : -1
    if (length < 0) throw new Error(`expected a string at byte ${this.at - 1}`)
    const start = this.take(length)
    if (length <= SHORT_STRING_BYTES) {
      let text = ''
      for (let i = start; i < start + length; i++) {
        const byte = this.bytes[i]!
        if (byte > 0x7f) return this.utf8(start, length)
        text += String.fromCharCode(byte)
      }
      return text
    }
    return this.utf8(start, length)
  }

  private utf8(start: number, length: number): string {
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + start, length).toString('utf8')
  }

  /** skip steps over one value, nested no deeper than `depth` levels. */
  skip(depth: number): void {
    if (depth === 0) throw new Error(`value nests too deep at byte ${this.at}`)
    const tag = this.u8()
    if (tag <= 0x7f || tag >= 0xe0 || tag === 0xc0 || tag === 0xc2 || tag === 0xc3) return
    if (tag >= 0x80 && tag <= 0x8f) return this.skipMany((tag & 0x0f) * 2, depth)
    if (tag >= 0x90 && tag <= 0x9f) return this.skipMany(tag & 0x0f, depth)
    if (tag >= 0xa0 && tag <= 0xbf) return void this.take(tag & 0x1f)
    switch (tag) {
      case 0xc4:
      case 0xd9:
        return void this.take(this.uint(1))
      case 0xc5:
      case 0xda:
        return void this.take(this.uint(2))
      case 0xc6:
      case 0xdb:
        return void this.take(this.uint(4))
      case 0xcc:
      case 0xd0:
        return void this.take(1)
      case 0xcd:
      case 0xd1:
        return void this.take(2)
      case 0xca:
      case 0xce:
      case 0xd2:
        return void this.take(4)
      case 0xcb:
      case 0xcf:
      case 0xd3:
        return void this.take(8)
      case 0xdc:
        return this.skipMany(this.uint(2), depth)
      case 0xdd:
        return this.skipMany(this.uint(4), depth)
      case 0xde:
        return this.skipMany(this.uint(2) * 2, depth)
      case 0xdf:
        return this.skipMany(this.uint(4) * 2, depth)
    }
    // Extension types: the event codec never writes them.
    throw new Error(`unexpected MessagePack tag 0x${tag.toString(16)} at byte ${this.at - 1}`)
  }

  private skipMany(count: number, depth: number): void {
    for (let i = 0; i < count; i++) this.skip(depth - 1)
  }

  private u8(): number {
    return this.bytes[this.take(1)]!
  }

  private uint(size: 1 | 2 | 4): number {
    const start = this.take(size)
    let value = 0
    for (let i = 0; i < size; i++) value = value * 256 + this.bytes[start + i]!
    return value
  }

  /** take claims `length` bytes and returns where they start. */
  private take(length: number): number {
    const start = this.at
    if (start + length > this.bytes.length) {
      throw new Error(`event payload ends at byte ${this.bytes.length}, inside a value`)
    }
    this.at = start + length
    return start
  }
}
