import { promisify } from 'node:util'
import * as zlib from 'node:zlib'
import { READ_CHUNK_BYTES } from './limits'

const gunzip = promisify(zlib.gunzip)
/** zlib's smallest output chunk. */
const CHUNK_BYTES_MIN = 64

/**
 * inflate gunzips off the main thread. The output chunk size matters: with zlib's default
 * (16 KiB) every chunk is a thread-pool round trip, which made inflating 5-7x slower than
 * gunzipSync; 1 MiB chunks keep it within a small factor of the synchronous call. When the
 * caller knows the inflated size (one gzip member), the chunk is exactly that size: one
 * trip, and no 1 MiB buffer allocated and copied out of for 64 KiB of output.
 */
export function inflate(gz: Buffer, rawBytes?: number): Promise<Buffer> {
  const chunkSize = rawBytes === undefined ? READ_CHUNK_BYTES : Math.max(CHUNK_BYTES_MIN, rawBytes)
  return gunzip(gz, { chunkSize })
}
