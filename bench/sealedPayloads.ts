import * as fs from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { EVENT_BYTES_MAX } from '../src/main/engine/limits'
import { readRecord } from '../src/main/engine/recordCodec'
import { SEGMENT_HEADER_BYTES } from '../src/main/engine/segmentHeader'

/** sealedPayloads inflates one sealed segment file and cuts out every record's payload. */
export function sealedPayloads(gzPath: string): Buffer[] {
  const raw = gunzipSync(fs.readFileSync(gzPath))
  const payloads: Buffer[] = []
  const options = { checkDigest: false, payloadLengthMax: EVENT_BYTES_MAX }
  for (let at = SEGMENT_HEADER_BYTES; at < raw.length;) {
    const read = readRecord(raw, at, options)
    if (read.kind !== 'record') throw new Error(`${gzPath}: no record at ${at}`)
    payloads.push(read.payload)
    at = read.end
  }
  return payloads
}
