import type { RawRecord } from '../../shared/storeApi'
import type { EventStore } from '../engine/eventStore'
import type { ByteSource } from '../engine/byteSource'
import { fileSource } from '../engine/byteSource'
import { isCode } from '../engine/fileSystem'
import type { RecordAt } from '../engine/recordIterator'
import { walkRecords } from '../engine/recordIterator'
import { RECORD_DIGEST_BYTES, sha256 } from '../engine/recordCodec'
import { openSealedSource } from '../engine/sealedSource'
import { SEGMENT_HEADER_BYTES } from '../engine/segmentHeader'
import { parseSegmentFileName } from '../engine/segmentNames'
import { CorruptionError, ValidationError } from '../engine/errors'
import { notFound } from './hostResult'

/**
 * readRawRecord returns one stored record's bytes exactly as they are on disk (after
 * inflating a sealed segment), for the hex view. It walks the segment's records without
 * checking digests and checks only this record's, so a damaged record can still be shown,
 * with `checksum_ok: false`. Read-only: it opens its own handle and never writes.
 */
export async function readRawRecord(store: EventStore, sequence: number): Promise<RawRecord> {
  if (!Number.isSafeInteger(sequence) || sequence < 1) {
    throw new ValidationError(
      'sequence',
      `must be a whole number of 1 or more, got ${String(sequence)}`,
    )
  }
  const segment = store
    .inspect()
    .segments.find(
      (s) =>
        s.first_sequence !== null && s.first_sequence <= sequence && sequence <= s.last_sequence!,
    )
  const segmentNumber = segment && parseSegmentFileName(segment.name)?.segmentNumber
  if (!segment || segmentNumber === undefined) throw notFound(`event with sequence ${sequence}`)
  const source = await openSource(store, segment.name, segment.sealed, segment.bytes, segmentNumber)
  try {
    let found: RecordAt | null = null
    const end = await walkRecords(source, SEGMENT_HEADER_BYTES, false, (record) => {
      if (record.header.sequence === sequence) found = record
      return record.header.sequence >= sequence
    })
    if (end.kind === 'bad') throw new CorruptionError(segment.name, end.offset, end.reason)
    const record = found as RecordAt | null
    if (!record) throw notFound(`record of sequence ${sequence} in ${segment.name}`)
    const bytes = await source.read(record.offset, record.end - record.offset)
    const stored = bytes.subarray(bytes.length - RECORD_DIGEST_BYTES)
    return {
      segment: segment.name,
      offset: record.offset,
      hex: bytes.toString('hex'),
      sha256: stored.toString('hex'),
      checksum_ok: sha256(record.payload).equals(stored),
    }
  } finally {
    await source.close()
  }
}

/** A raw log sealed (and removed) since inspect() is read from its sealed file instead. */
async function openSource(
  store: EventStore,
  name: string,
  sealed: boolean,
  bytes: number,
  segmentNumber: number,
): Promise<ByteSource> {
  const { fs, dir } = store.files
  if (!sealed) {
    try {
      return fileSource(await fs.open(`${dir}/${name}`, 'read'), bytes)
    } catch (error) {
      if (!isCode(error, 'ENOENT')) throw error
    }
  }
  return openSealedSource(fs, dir, segmentNumber)
}
