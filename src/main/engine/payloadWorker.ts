import { parentPort } from 'node:worker_threads'
import { assert } from './errors'
import type { CutJob, CutReply } from './payloadCut'
import { cutPayloads, PAYLOAD_PROTOCOL } from './payloadCut'

/**
 * The payload worker: a thread that inflates runs of sealed gzip members and cuts out their
 * payloads for a replay (cutPayloads), so the replaying thread only decodes. Built as its own
 * entry (out/main/payload-worker.js) and started by payloadCutter.ts.
 */
const port = parentPort
assert(port, 'payloadWorker.ts runs only as a worker thread')

port.on('message', (job: CutJob) => {
  let reply: CutReply
  try {
    reply = { id: job.id, protocol: PAYLOAD_PROTOCOL, run: cutPayloads(job.request) }
  } catch (error) {
    const failed = error instanceof Error ? error.message : String(error)
    reply = { id: job.id, protocol: PAYLOAD_PROTOCOL, failed }
  }
  const run = 'run' in reply ? reply.run : null
  // Each list has its own ArrayBuffer (cutPayloads makes them so): moved, not copied.
  const moved = run ? [run.payloads, run.ends, run.sequences, run.offsets] : []
  port.postMessage(
    reply,
    moved.map((list) => list.buffer as ArrayBuffer),
  )
})
