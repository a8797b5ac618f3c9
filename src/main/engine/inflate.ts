import { promisify } from 'node:util'
import * as zlib from 'node:zlib'
import { INFLATE_IN_PLACE_BYTES_MAX, READ_CHUNK_BYTES } from './limits'

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

/**
 * inflateSmall gunzips one small gzip member whose inflated size is known, on this thread.
 * A thread-pool trip costs more than inflating a 32 KiB member (measured here on 64 KiB ones: a read plus async
 * gunzip of one member p50 0.44 ms, with gunzipSync 0.22 ms, p99 3.3 against 0.9 ms), so a
 * point read does it in place. Members larger than INFLATE_IN_PLACE_BYTES_MAX (one huge
 * event) still go to the thread pool, so no single read blocks the thread for long.
 */
export async function inflateSmall(gz: Buffer, rawBytes: number): Promise<Buffer> {
  if (rawBytes > INFLATE_IN_PLACE_BYTES_MAX) return inflate(gz, rawBytes)
  return inflateSync(gz, rawBytes)
}

/**
 * inflateSync gunzips on the calling thread into one chunk of the size the caller expects
 * (a worker's, or a small member's; see inflateSmall). Throws on damaged gzip.
 */
export function inflateSync(gz: Uint8Array, rawBytes: number): Buffer {
  return zlib.gunzipSync(gz, { chunkSize: Math.max(CHUNK_BYTES_MIN, rawBytes) })
}
