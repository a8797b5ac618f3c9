/**
 * The raw floor of verification, shared by the verify benchmark and the harness's verify and
 * open groups: reading, inflating and hashing segment files on fresh worker threads, with
 * none of the engine's parsing or bookkeeping, so the engine's work can be quoted as a share
 * of it.
 */
import * as fs from 'node:fs'
import { Worker } from 'node:worker_threads'

/**
 * RAW_WORKER is the raw floor as plain CommonJS for an eval worker: read each file, inflate
 * it if asked and it is a .gz file, then hash it in 1 MiB chunks or record by record (the
 * payload of each record sits at +32 and its length at +8; nothing else of the record is
 * parsed). It reports the bytes it covered and how long that took inside the worker.
 */
const RAW_WORKER = `
const { parentPort, workerData } = require('node:worker_threads')
const fs = require('node:fs')
const zlib = require('node:zlib')
const { createHash, hash } = require('node:crypto')
const started = performance.now()
let bytes = 0
for (const path of workerData.paths) {
  let raw = fs.readFileSync(path)
  if (workerData.gunzip && path.endsWith('.gz')) raw = zlib.gunzipSync(raw)
  if (workerData.hash === 'records') {
    for (let at = 64; at + 32 <= raw.length; ) {
      const length = raw.readUInt32BE(at + 8)
      hash('sha256', raw.subarray(at + 32, at + 32 + length), 'buffer')
      at += 64 + length
    }
  } else if (workerData.hash === 'chunks') {
    const digest = createHash('sha256')
    for (let at = 0; at < raw.length; at += 1 << 20) digest.update(raw.subarray(at, at + (1 << 20)))
    digest.digest()
  }
  bytes += raw.length
}
parentPort.postMessage({ bytes, ms: performance.now() - started })
`

export interface RawWork {
  /** Inflate the .gz files among the paths (the others are read as they are). */
  gunzip: boolean
  hash: 'none' | 'chunks' | 'records'
}

/** RawRun is what one worker covered: uncompressed bytes, and its time from first read to last hash. */
export interface RawRun {
  bytes: number
  ms: number
}

/**
 * rawVerifyFloor splits the files over `threads` fresh workers (largest first), runs
 * RAW_WORKER on them and resolves with the uncompressed bytes they covered.
 */
export async function rawVerifyFloor(
  paths: string[],
  threads: number,
  work: RawWork,
): Promise<number> {
  const groups: { paths: string[]; bytes: number }[] = Array.from({ length: threads }, () => ({
    paths: [],
    bytes: 0,
  }))
  const bySize = paths
    .map((path) => ({ path, bytes: fs.statSync(path).size }))
    .sort((a, b) => b.bytes - a.bytes)
  for (const file of bySize) {
    const group = groups.reduce((least, g) => (g.bytes < least.bytes ? g : least))
    group.paths.push(file.path)
    group.bytes += file.bytes
  }
  const runs = await Promise.all(groups.map((group) => rawWorkerRun(group.paths, work)))
  return runs.reduce((sum, run) => sum + run.bytes, 0)
}

/**
 * rawWorkerRun runs RAW_WORKER over `paths` on one fresh worker. Its time leaves out the
 * worker's start-up, so a short run is not charged for it.
 */
export function rawWorkerRun(paths: string[], work: RawWork): Promise<RawRun> {
  return new Promise<RawRun>((resolve, reject) => {
    const worker = new Worker(RAW_WORKER, { eval: true, workerData: { paths, ...work } })
    worker.once('message', (run: RawRun) => resolve(run))
    worker.once('error', reject)
  })
}
