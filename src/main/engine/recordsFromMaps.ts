/**
 * recordsFromMaps rewrites a run of MessagePack values (the i-th from `starts[i]` to
 * `ends[i]` in `source`) into one buffer of values back to back that msgpackr decodes to
 * the same values about four times faster.
 *
 * Why: msgpackr builds a map's object with one keyed store per entry (`object[key] = ...`),
 * a slow, megamorphic path in V8, and decoding stored events is what bounds a replay. Its
 * "record" extension instead names a map's keys once (a definition) and then refers to
 * them by a one-byte id; the decoder compiles each definition into an object literal,
 * V8's fastest way to build an object. Every map whose keys are short ASCII strings
 * becomes a record; the first map with a given key list in the run carries its
 * definition, the later ones only its id. All else is copied as it is, except the
 * positive integers 64 to 127: their one-byte form is how a record id is written, so they
 * are written as uint8 instead.
 *
 * The rewrite is internal to one run handed from the payload worker to the replaying
 * thread. Stored bytes, and what SHA-256 and CRC-32C cover, are never rewritten. The
 * result only decodes as a whole, from its first value (a definition comes before the
 * ids that use it).
 *
 * Null when the run has anything this does not rewrite (an extension type, nesting past
 * RECORDS_DEPTH_MAX) or a value that is not one whole MessagePack value: the run is then
 * decoded as stored, which names any damage as it always has.
 */
export interface PackedValues {
  bytes: Uint8Array
  ends: Uint32Array
}

/** msgpackr gives record ids 0x40 to 0x7f a one-byte form: at most this many per run. */
export const RECORDS_PER_RUN_MAX = 64
/** Maps with more entries than this stay maps (a record's definition compiles to code). */
export const RECORD_KEYS_MAX = 64
/** Nesting deeper than this is not rewritten (stored events nest far less: NESTING_DEPTH_MAX). */
export const RECORDS_DEPTH_MAX = 100

/**
 * Bytes a run may read again after record attempts give up (a key beyond ASCII after nested
 * maps, or no id left), as a multiple of the run's size: past it the run is not rewritten.
 */
export const REREAD_RUNS_MAX = 4
/** Room for growth (the integers 64-127 take two bytes) before the first reallocation. */
const OUTPUT_SLACK_BYTES = 1024
/** Values up to this size are copied 4 bytes at a time; larger ones with one `set`. */
const WORD_COPY_BYTES_MAX = 512

/** msgpackr's extension type for a record definition ('r'). */
const RECORD_DEFINITION = 0x72

class NotRewritten extends Error {}
const notRewritten = new NotRewritten()

export function recordsFromMaps(
  source: Uint8Array,
  starts: ArrayLike<number>,
  ends: ArrayLike<number>,
): PackedValues | null {
  if (ends.length === 0) return { bytes: new Uint8Array(0), ends: new Uint32Array(0) }
  // A Buffer is read more slowly than a plain Uint8Array over the same bytes.
  const bytes = new Uint8Array(source.buffer, source.byteOffset, source.length)
  const writer = new RecordWriter(bytes, ends[ends.length - 1]! - starts[0]!)
  const written = new Uint32Array(ends.length)
  try {
    for (let i = 0; i < ends.length; i++) {
      if (writer.rewrite(starts[i]!, ends[i]!) !== ends[i]) return null
      written[i] = writer.written
    }
  } catch (error) {
    if (error === notRewritten) return null
    throw error
  }
  return { bytes: writer.result(), ends: written }
}

/** A record definition of this run: its id, its key count and its keys as encoded. */
interface Structure {
  id: number
  length: number
  keys: Uint8Array
  /** keys.length, kept as a number: reading a typed array's length costs more. */
  keyBytes: number
  view: DataView
  /** For each key, the structure of the map last seen as its value: the likely next one. */
  children: (Structure | undefined)[]
}

/** What an open container is: an array or a map copied as it is, or a map made a record. */
const ARRAY = 0
const MAP = 1
const RECORD = 2

/**
 * RecordWriter rewrites values one after another into one buffer. It walks each value
 * without recursion, with a stack of the containers open around the current item (one
 * entry per nesting level, in the typed arrays below), and keeps the hot state in locals.
 */
class RecordWriter {
  private out: Uint8Array
  private outView: DataView
  private readonly srcView: DataView
  written = 0
  private readonly structures: Structure[] = []
  /** The structure last used for a map of each key count: what the next such map likely is. */
  private readonly lastByLength: (Structure | undefined)[] = []

  // The stack of open containers.
  private readonly kind = new Uint8Array(RECORDS_DEPTH_MAX)
  /** Items still to read: array items, map keys and values, or record entries. */
  private readonly remaining = new Uint32Array(RECORDS_DEPTH_MAX)
  // For a record: where its map starts in the source and its header's size, where it starts
  // in the output (its id byte), its entry count, the keys' bytes read so far, how far its
  // keys matched its likely structure's (-1: they did not), and how many structures there
  // were before it (those it adds are dropped if it stays a map).
  private readonly start = new Uint32Array(RECORDS_DEPTH_MAX)
  private readonly headerBytes = new Uint8Array(RECORDS_DEPTH_MAX)
  private readonly outStart = new Uint32Array(RECORDS_DEPTH_MAX)
  private readonly length = new Uint32Array(RECORDS_DEPTH_MAX)
  private readonly keyBytes = new Uint32Array(RECORDS_DEPTH_MAX)
  private readonly compared = new Int32Array(RECORDS_DEPTH_MAX)
  private readonly countBefore = new Uint32Array(RECORDS_DEPTH_MAX)
  private readonly likely: (Structure | undefined)[] = []
  /** Where each open record's keys start and end in the source, pairwise, level by level. */
  private readonly keySpans = new Uint32Array(RECORDS_DEPTH_MAX * RECORD_KEYS_MAX * 2)
  /** Where the next key's span goes in keySpans, for each level. */
  private readonly nextSpan = new Uint32Array(RECORDS_DEPTH_MAX)
  /** Maps at this level or deeper are copied as maps: inside one that gave up being a record. */
  private plainDepth = RECORDS_DEPTH_MAX
  /** Bytes read again after record attempts gave up, and the most allowed for this run. */
  private reread = 0
  private readonly rereadMax: number
  /** For a record inside a record: the index of its key in the parent's likely keys, or -1. */
  private readonly parentSlot = new Int32Array(RECORDS_DEPTH_MAX)

  /** @param bytes about how much the values take (records drop keys: the run shrinks) */
  constructor(
    private readonly src: Uint8Array,
    bytes: number,
  ) {
    this.out = new Uint8Array(Math.max(0, bytes) + OUTPUT_SLACK_BYTES)
    this.rereadMax = REREAD_RUNS_MAX * Math.max(0, bytes)
    this.outView = new DataView(this.out.buffer)
    this.srcView = new DataView(src.buffer, src.byteOffset, src.length)
  }

  /**
   * result is the values written, on an ArrayBuffer nothing else uses (to move to a thread
   * whole, with the room left after them: about the keys' bytes, which records drop).
   */
  result(): Uint8Array {
    return this.out.subarray(0, this.written)
  }

  /** rewrite writes the value at `at`, which may not read past `end`, and says where it ends. */
  rewrite(at: number, end: number): number {
    const { src, srcView, kind, remaining } = this
    let out = this.out
    let w = this.written
    let depth = 0
    let started = false
    for (;;) {
      if (depth > 0) {
        const d = depth - 1
        if (remaining[d] === 0) {
          depth--
          if (depth < this.plainDepth) this.plainDepth = RECORDS_DEPTH_MAX
          if (kind[d] !== RECORD) continue
          this.written = w
          const ok = this.finishRecord(d)
          w = this.written
          out = this.out
          if (ok) continue
          at = this.asMap(d, at)
          w = this.written
          out = this.out
          depth++
          continue
        }
        remaining[d] = remaining[d]! - 1
        if (kind[d] === RECORD) {
          const next = this.recordKey(d, at, end)
          if (next < 0) {
            at = this.asMap(d, at)
            w = this.written
            out = this.out
            continue
          }
          at = next
        }
      } else if (started) {
        this.written = w
        return at
      }
      started = true
      // One value's token, and the value itself unless it is a container.
      if (at >= end) throw notRewritten
      const token = src[at]!
      let size: number
      if (token < 0x80) {
        if (out.length - w < 2) out = this.grow(w, 2)
        if (token >= 0x40) out[w++] = 0xcc
        out[w++] = token
        at++
        continue
      } else if (token >= 0xe0) {
        if (out.length - w < 1) out = this.grow(w, 1)
        out[w++] = token
        at++
        continue
      } else if (token < 0x90 || token === 0xde || token === 0xdf) {
        const header = token < 0x90 ? 1 : token === 0xde ? 3 : 5
        const entries = token < 0x90 ? token - 0x80 : readLength(src, at + 1, header - 1, end)
        if (entries > (end - at - header) / 2) throw notRewritten
        if (depth >= RECORDS_DEPTH_MAX) throw notRewritten
        const d = depth++
        this.written = w
        if (entries > 0 && entries <= RECORD_KEYS_MAX && d < this.plainDepth) {
          this.openRecord(d, at, header, entries)
          at += header
          w = this.written
          out = this.out
        } else {
          kind[d] = MAP
          remaining[d] = 2 * entries
          size = header
          at = this.copyTo(at, size)
          w = this.written
          out = this.out
        }
        continue
      } else if (token < 0xa0 || token === 0xdc || token === 0xdd) {
        const header = token < 0xa0 ? 1 : token === 0xdc ? 3 : 5
        const items = token < 0xa0 ? token - 0x90 : readLength(src, at + 1, header - 1, end)
        // Each item takes a byte at least: a longer count is damage, not a reason to loop.
        if (items > end - at - header) throw notRewritten
        if (depth >= RECORDS_DEPTH_MAX) throw notRewritten
        kind[depth] = ARRAY
        remaining[depth++] = items
        size = header
      } else if (token < 0xc0) {
        size = token - 0xa0 + 1
      } else {
        size = scalarBytes(src, at, token, end)
      }
      // Copied as it is: a scalar, or a container's header.
      const to = at + size
      if (to > end) throw notRewritten
      if (out.length - w < size) out = this.grow(w, size)
      // Four bytes at a time through DataViews (the last four overlapping the ones before):
      // making a subarray to copy from costs more than copying a few hundred bytes this way.
      if (size < 4) {
        for (; at < to; at++) out[w++] = src[at]!
      } else if (size <= WORD_COPY_BYTES_MAX) {
        const outView = this.outView
        const last = w + size - 4
        for (; w < last; at += 4, w += 4) outView.setUint32(w, srcView.getUint32(at))
        outView.setUint32(last, srcView.getUint32(to - 4))
        w = last + 4
      } else {
        out.set(src.subarray(at, to), w)
        w += size
      }
      at = to
    }
  }

  /** openRecord starts level `d` as a record for the map at `at`; its id byte comes later. */
  private openRecord(d: number, at: number, header: number, entries: number): void {
    this.kind[d] = RECORD
    this.remaining[d] = entries
    this.start[d] = at
    this.headerBytes[d] = header
    this.length[d] = entries
    this.keyBytes[d] = 0
    this.nextSpan[d] = d * RECORD_KEYS_MAX * 2
    this.countBefore[d] = this.structures.length
    // The likely keys: those of the map last seen under the same key of the same parent,
    // else of the map last seen with as many keys.
    const inRecord = d > 0 && this.kind[d - 1] === RECORD && this.compared[d - 1]! >= 0
    const parent = inRecord ? this.likely[d - 1] : undefined
    const slot = parent ? (this.nextSpan[d - 1]! - (d - 1) * RECORD_KEYS_MAX * 2) / 2 - 1 : -1
    this.parentSlot[d] = slot
    const under = parent?.children[slot]
    const likely = under?.length === entries ? under : this.lastByLength[entries]
    this.likely[d] = likely
    this.compared[d] = likely ? 0 : -1
    if (this.out.length - this.written < 1) this.grow(this.written, 1)
    this.outStart[d] = this.written++
  }

  /**
   * recordKey reads the next key of the record at level `d`, from `at`: where its value
   * starts, or -1 when the key is not a short ASCII string (the map stays a map).
   */
  private recordKey(d: number, at: number, end: number): number {
    const src = this.src
    const keyStart = at
    if (at >= end) throw notRewritten
    const token = src[at++]!
    let size: number
    if (token >= 0xa0 && token < 0xc0) size = token - 0xa0
    else if (token === 0xd9 && at < end) size = src[at++]!
    else return -1
    const keyEnd = at + size
    if (keyEnd > end) throw notRewritten
    // Compared with the likely structure's keys as it is read; checked as ASCII only when
    // it differs (a structure's keys are ASCII).
    let compared = this.compared[d]!
    if (compared >= 0) {
      const likely = this.likely[d]!
      const bytes = keyEnd - keyStart
      const same =
        compared + bytes <= likely.keyBytes &&
        sameBytes(this.srcView, keyStart, likely.view, compared, bytes)
      compared = same ? compared + bytes : -1
      this.compared[d] = compared
    }
    if (compared < 0) {
      for (let j = at; j < keyEnd; j++) {
        // Beyond ASCII, msgpackr's two ways of reading a key could differ on bad UTF-8.
        if (src[j]! >= 0x80) return -1
      }
    }
    const span = this.nextSpan[d]!
    this.nextSpan[d] = span + 2
    this.keySpans[span] = keyStart
    this.keySpans[span + 1] = keyEnd
    this.keyBytes[d] = this.keyBytes[d]! + keyEnd - keyStart
    return keyEnd
  }

  /**
   * finishRecord writes the id of the record at level `d` (and its definition, the first
   * time): false when the run has RECORDS_PER_RUN_MAX others, and it stays a map.
   */
  private finishRecord(d: number): boolean {
    const length = this.length[d]!
    const likely = this.likely[d]
    let structure =
      likely && this.compared[d] === likely.keyBytes
        ? likely
        : this.find(d, length, this.keyBytes[d]!)
    if (!structure) {
      if (this.structures.length >= RECORDS_PER_RUN_MAX) return false
      const keys = this.keysOf(d, length)
      const view = new DataView(keys.buffer)
      const id = this.structures.length
      structure = { id, length, keys, keyBytes: keys.length, view, children: [] }
      this.structures.push(structure)
      this.define(this.outStart[d]!, structure)
    } else if (structure.id >= this.countBefore[d]!) {
      // Defined inside this record's own values (a map holding a map of the same keys),
      // so after the place this id would go: defined again here, first.
      this.define(this.outStart[d]!, structure)
    } else {
      this.out[this.outStart[d]!] = 0x40 | structure.id
    }
    this.lastByLength[length] = structure
    const slot = this.parentSlot[d]!
    if (slot >= 0) this.likely[d - 1]!.children[slot] = structure
    return true
  }

  /**
   * asMap turns the record at level `d` back into a map copied as it is: the output from
   * its start is dropped, with the definitions added since, and it is read again from its
   * header, `at` being how far it was read. What it holds is copied as it is too, so each
   * byte is read again once at most for each level that gives up, and REREAD_RUNS_MAX runs'
   * worth at most in all (then the run is not rewritten). Returns where its first key starts.
   */
  private asMap(d: number, at: number): number {
    this.reread += at - this.start[d]!
    if (this.reread > this.rereadMax) throw notRewritten
    this.plainDepth = Math.min(this.plainDepth, d + 1)
    this.written = this.outStart[d]!
    const countBefore = this.countBefore[d]!
    if (this.structures.length > countBefore) {
      // No guess may name a structure that is gone: its id will be another's.
      this.structures.length = countBefore
      this.lastByLength.fill(undefined)
      for (const structure of this.structures) structure.children.length = 0
    }
    this.kind[d] = MAP
    this.remaining[d] = 2 * this.length[d]!
    return this.copyTo(this.start[d]!, this.headerBytes[d]!)
  }

  /** find is the run's structure with the keys read at level `d`, if there is one. */
  private find(d: number, length: number, keyBytes: number): Structure | undefined {
    const spans = this.keySpans
    const base = d * RECORD_KEYS_MAX * 2
    next: for (const structure of this.structures) {
      if (structure.length !== length || structure.keyBytes !== keyBytes) continue
      let at = 0
      for (let i = 0; i < length; i++) {
        const to = spans[base + 2 * i + 1]!
        for (let j = spans[base + 2 * i]!; j < to; j++) {
          if (structure.keys[at++] !== this.src[j]) continue next
        }
      }
      return structure
    }
    return undefined
  }

  private keysOf(d: number, length: number): Uint8Array {
    const base = d * RECORD_KEYS_MAX * 2
    const keys = new Uint8Array(this.keyBytes[d]!)
    let at = 0
    for (let i = 0; i < length; i++) {
      const span = this.src.subarray(this.keySpans[base + 2 * i], this.keySpans[base + 2 * i + 1])
      keys.set(span, at)
      at += span.length
    }
    return keys
  }

  /**
   * define puts the structure's definition (fixext 1 'r' id, then the keys as an array)
   * where the record at `outStart` begins, moving its values after it: msgpackr reads the
   * first record right after its definition.
   */
  private define(outStart: number, structure: Structure): void {
    const length = structure.length
    const arrayHeader = length < 16 ? 1 : 3
    const definitionBytes = 3 + arrayHeader + structure.keys.length
    const out = this.grow(this.written, definitionBytes)
    out.copyWithin(outStart + definitionBytes, outStart + 1, this.written)
    this.written += definitionBytes - 1
    let at = outStart
    out[at++] = 0xd4
    out[at++] = RECORD_DEFINITION
    out[at++] = 0x40 | structure.id
    if (arrayHeader === 1) out[at++] = 0x90 | length
    else {
      out[at++] = 0xdc
      out[at++] = length >> 8
      out[at++] = length & 0xff
    }
    out.set(structure.keys, at)
  }

  /** copyTo copies `size` source bytes from `at` to the output; returns where they end. */
  private copyTo(at: number, size: number): number {
    const out = this.grow(this.written, size)
    out.set(this.src.subarray(at, at + size), this.written)
    this.written += size
    return at + size
  }

  /** grow makes room for `bytes` more after `written`, and returns the output buffer. */
  private grow(written: number, bytes: number): Uint8Array {
    if (written + bytes <= this.out.length) return this.out
    const grown = new Uint8Array(Math.max(this.out.length * 2, written + bytes))
    grown.set(this.out.subarray(0, written))
    this.out = grown
    this.outView = new DataView(grown.buffer)
    return grown
  }
}

/** sameBytes compares `bytes` bytes of two views, four at a time (the last four overlapping). */
function sameBytes(a: DataView, at: number, b: DataView, bt: number, bytes: number): boolean {
  if (bytes < 4) {
    for (let i = 0; i < bytes; i++) if (a.getUint8(at + i) !== b.getUint8(bt + i)) return false
    return true
  }
  for (let i = 0; i < bytes - 4; i += 4)
    if (a.getUint32(at + i) !== b.getUint32(bt + i)) return false
  return a.getUint32(at + bytes - 4) === b.getUint32(bt + bytes - 4)
}

/** readLength reads the `bytes`-byte big-endian count or size at `at`. */
function readLength(src: Uint8Array, at: number, bytes: number, end: number): number {
  if (at + bytes > end) throw notRewritten
  if (bytes === 1) return src[at]!
  if (bytes === 2) return (src[at]! << 8) | src[at + 1]!
  return src[at]! * 0x1000000 + ((src[at + 1]! << 16) | (src[at + 2]! << 8) | src[at + 3]!)
}

/** scalarBytes is the encoded size of the value at `at` whose token is 0xc0 to 0xdb. */
function scalarBytes(src: Uint8Array, at: number, token: number, end: number): number {
  switch (token) {
    case 0xc0:
    case 0xc2:
    case 0xc3:
      return 1
    case 0xc4:
    case 0xd9:
      return 2 + readLength(src, at + 1, 1, end)
    case 0xc5:
    case 0xda:
      return 3 + readLength(src, at + 1, 2, end)
    case 0xc6:
    case 0xdb:
      return 5 + readLength(src, at + 1, 4, end)
    case 0xcc:
    case 0xd0:
      return 2
    case 0xcd:
    case 0xd1:
      return 3
    case 0xca:
    case 0xce:
    case 0xd2:
      return 5
    case 0xcb:
    case 0xcf:
    case 0xd3:
      return 9
    default:
      // 0xc1 (never used) and the extension types.
      throw notRewritten
  }
}
