import { EVENT_BYTES_MAX, NESTING_DEPTH_MAX, RESERVED_KEYS } from './limits'

/**
 * A MessagePack encoder for events: standard types only (nil, booleans, integers,
 * float64, str, array, map), so any MessagePack library decodes the result. It is on the
 * append hot path, so it also checks what validation must check of `data` and `metadata`
 * (JSON types, finite numbers, no reserved keys, bounded depth) in the same single walk;
 * it only says *that* something is wrong, and the caller finds out what and where.
 */
export class JsonShapeProblem extends Error {}

/** Room for the largest event plus slack; past it the event is too large anyway. */
const CAPACITY_MAX = EVENT_BYTES_MAX + 64 * 1024

export class MsgpackWriter {
  private buffer = Buffer.allocUnsafe(64 * 1024)
  private position = 0

  /** reset starts a new value; `view` shows what was written since, until the next reset. */
  reset(): void {
    this.position = 0
  }

  view(): Buffer {
    return this.buffer.subarray(0, this.position)
  }

  get length(): number {
    return this.position
  }

  mapHeader(size: number): void {
    if (size < 16) this.byte(0x80 | size)
    else if (size < 0x10000) this.u8u16(0xde, size)
    else this.u8u32(0xdf, size)
  }

  /** raw writes pre-encoded bytes, such as a key written once at startup. */
  raw(bytes: Buffer): void {
    this.ensure(bytes.length)
    bytes.copy(this.buffer, this.position)
    this.position += bytes.length
  }

  nil(): void {
    this.byte(0xc0)
  }

  string(value: string): void {
    const length = value.length
    if (length < 32) {
      // Short ASCII strings, the common case, are copied here without a native call; the
      // loop gives up at the first other character and the general path takes over.
      this.ensure(1 + length)
      const buffer = this.buffer
      const start = this.position
      let at = start + 1
      let i = 0
      for (; i < length; i++) {
        const code = value.charCodeAt(i)
        if (code > 0x7f) break
        buffer[at++] = code
      }
      if (i === length) {
        buffer[start] = 0xa0 | length
        this.position = at
        return
      }
    }
    const bytes = Buffer.byteLength(value, 'utf8')
    if (bytes < 32) this.byte(0xa0 | bytes)
    else if (bytes < 0x100) this.u8u8(0xd9, bytes)
    else if (bytes < 0x10000) this.u8u16(0xda, bytes)
    else this.u8u32(0xdb, bytes)
    this.ensure(bytes)
    this.position += this.buffer.write(value, this.position, bytes, 'utf8')
  }

  number(value: number): void {
    if (Number.isInteger(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER) this.integer(value)
    else {
      this.ensure(9)
      this.buffer[this.position] = 0xcb
      this.buffer.writeDoubleBE(value, this.position + 1)
      this.position += 9
    }
  }

  /** json writes a JSON value, checking its shape; throws JsonShapeProblem when it is off. */
  json(value: unknown, depth: number): void {
    if (depth > NESTING_DEPTH_MAX) throw new JsonShapeProblem()
    switch (typeof value) {
      case 'string':
        return this.string(value)
      case 'number':
        if (!Number.isFinite(value)) throw new JsonShapeProblem()
        return this.number(value)
      case 'boolean':
        return this.byte(value ? 0xc3 : 0xc2)
      case 'object':
        if (value === null) return this.nil()
        if (Array.isArray(value)) return this.array(value, depth)
        return this.object(value as Record<string, unknown>, depth)
      default:
        throw new JsonShapeProblem()
    }
  }

  /** object writes a plain object; anything else (a Date, a class instance) is refused. */
  object(value: Record<string, unknown>, depth: number): void {
    const proto: unknown = Object.getPrototypeOf(value)
    if (proto !== Object.prototype && proto !== null) throw new JsonShapeProblem()
    const keys = Object.keys(value)
    this.mapHeader(keys.length)
    for (const key of keys) {
      if (RESERVED_KEYS.has(key)) throw new JsonShapeProblem()
      this.string(key)
      this.json(value[key], depth + 1)
    }
  }

  private array(value: unknown[], depth: number): void {
    const length = value.length
    if (length < 16) this.byte(0x90 | length)
    else if (length < 0x10000) this.u8u16(0xdc, length)
    else this.u8u32(0xdd, length)
    for (let i = 0; i < length; i++) this.json(value[i], depth + 1)
  }

  private integer(value: number): void {
    if (value >= 0) {
      if (value < 0x80) this.byte(value)
      else if (value < 0x100) this.u8u8(0xcc, value)
      else if (value < 0x10000) this.u8u16(0xcd, value)
      else if (value < 0x1_0000_0000) this.u8u32(0xce, value)
      else this.u8u64(0xcf, value)
    } else if (value >= -32) this.byte(value & 0xff)
    else if (value >= -0x80) {
      this.ensure(2)
      this.buffer[this.position] = 0xd0
      this.buffer.writeInt8(value, this.position + 1)
      this.position += 2
    } else if (value >= -0x8000) {
      this.ensure(3)
      this.buffer[this.position] = 0xd1
      this.buffer.writeInt16BE(value, this.position + 1)
      this.position += 3
    } else if (value >= -0x8000_0000) {
      this.ensure(5)
      this.buffer[this.position] = 0xd2
      this.buffer.writeInt32BE(value, this.position + 1)
      this.position += 5
    } else {
      this.ensure(9)
      this.buffer[this.position] = 0xd3
      this.buffer.writeBigInt64BE(BigInt(value), this.position + 1)
      this.position += 9
    }
  }

  private byte(value: number): void {
    this.ensure(1)
    this.buffer[this.position++] = value
  }

  private u8u8(tag: number, value: number): void {
    this.ensure(2)
    this.buffer[this.position] = tag
    this.buffer[this.position + 1] = value
    this.position += 2
  }

  private u8u16(tag: number, value: number): void {
    this.ensure(3)
    this.buffer[this.position] = tag
    this.buffer.writeUInt16BE(value, this.position + 1)
    this.position += 3
  }

  private u8u32(tag: number, value: number): void {
    this.ensure(5)
    this.buffer[this.position] = tag
    this.buffer.writeUInt32BE(value, this.position + 1)
    this.position += 5
  }

  private u8u64(tag: number, value: number): void {
    this.ensure(9)
    this.buffer[this.position] = tag
    this.buffer.writeBigUInt64BE(BigInt(value), this.position + 1)
    this.position += 9
  }

  private ensure(bytes: number): void {
    const needed = this.position + bytes
    if (needed <= this.buffer.length) return
    // Past the event limit the encoding is abandoned; the caller reports the size.
    if (needed > CAPACITY_MAX) throw new EventTooLarge(needed)
    const grown = Buffer.allocUnsafe(
      Math.min(CAPACITY_MAX, Math.max(needed, this.buffer.length * 2)),
    )
    this.buffer.copy(grown, 0, 0, this.position)
    this.buffer = grown
  }
}

/** EventTooLarge stops an encoding that has already passed the event size limit. */
export class EventTooLarge extends Error {
  constructor(readonly bytesAtLeast: number) {
    super(`at least ${bytesAtLeast} bytes`)
  }
}
