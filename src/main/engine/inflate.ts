import { promisify } from 'node:util'
import * as zlib from 'node:zlib'
import { READ_CHUNK_BYTES } from './limits'

const gunzip = promisify(zlib.gunzip)

/**
 * inflate gunzips off the main thread. The output chunk size matters: with zlib's default
 * (16 KiB) every chunk is a thread-pool round trip, which made inflating 5-7x slower than
 * gunzipSync; 1 MiB chunks keep it within a small factor of the synchronous call.
 */
export function inflate(gz: Buffer): Promise<Buffer> {
  return gunzip(gz, { chunkSize: READ_CHUNK_BYTES })
}
