import { parentPort, workerData } from 'node:worker_threads'
import type { FileHandle, FileSystem } from './fileSystem'
import { nodeFileSystem } from './nodeFileSystem'
import type { SegmentCheck } from './segmentCheck'
import { checkLog, checkSealed } from './segmentCheck'
import type { TaskMessage, VerifyTask, VerifyWorkerData, WorkerMessage } from './verifyProtocol'
import { assert } from './errors'

/**
 * The verification worker: a thread that checks the segments its coordinator hands it, one
 * at a time, with the very functions EventStore.verify uses (every record, every digest,
 * sealed files inflated whole), so a job and EventStore.verify cannot disagree about a file.
 * It is built as its own entry (out/main/verify-worker.js) and started by verifyJob.ts.
 */

const port = parentPort
assert(port, 'verifyWorker.ts runs only as a worker thread')
const data = workerData as VerifyWorkerData
const storeId = Buffer.from(data.storeIdHex, 'hex')

// Tasks arrive one at a time, but they are chained so that two never run at once.
let queue: Promise<void> = Promise.resolve()
port.on('message', (message: TaskMessage) => {
  queue = queue.then(() => runTask(message.task))
})

async function runTask(task: VerifyTask): Promise<void> {
  const reporter = progressReporter(task.index)
  const fs = countingFileSystem(nodeFileSystem, reporter)
  try {
    const options = {
      storeId,
      deep: true,
      checkDigest: true,
      mayHaveTornTail: task.mayHaveTornTail,
    }
    const check =
      task.source === 'log'
        ? await checkLog(fs, data.dir, task.segmentNumber, options)
        : await checkSealed(fs, data.dir, task.segmentNumber, options)
    send({
      kind: 'checked',
      index: task.index,
      check: transferable(check),
      rawBytes: rawBytesOf(check),
    })
  } catch (error) {
    const code = (error as { code?: unknown }).code
    send({
      kind: 'failed',
      index: task.index,
      message: error instanceof Error ? error.message : String(error),
      code: typeof code === 'string' ? code : null,
    })
  }
}

function send(message: WorkerMessage): void {
  port!.postMessage(message)
}

/** progressReporter adds up the bytes read for one file and posts them at a bounded rate. */
function progressReporter(index: number): (bytes: number) => void {
  let bytesRead = 0
  let postedAtMs = Date.now()
  return (bytes) => {
    bytesRead += bytes
    const nowMs = Date.now()
    if (nowMs - postedAtMs < data.progressIntervalMs) return
    postedAtMs = nowMs
    send({ kind: 'progress', index, bytesRead })
  }
}

/**
 * countingFileSystem reports the bytes read through file handles: how a raw log is read,
 * chunk by chunk. A sealed file is read in one piece, so it shows up only when done.
 */
function countingFileSystem(base: FileSystem, onRead: (bytes: number) => void): FileSystem {
  return {
    ...base,
    async open(path, mode) {
      const handle = await base.open(path, mode)
      const counted: FileHandle = {
        read: async (buffer, offset, length, position) => {
          const count = await handle.read(buffer, offset, length, position)
          onRead(count)
          return count
        },
        write: (buffers, position) => handle.write(buffers, position),
        datasync: () => handle.datasync(),
        truncate: (length) => handle.truncate(length),
        size: () => handle.size(),
        close: () => handle.close(),
      }
      return counted
    },
  }
}

/** The uncompressed bytes a check covered: the whole raw log, or the inflated sealed data. */
function rawBytesOf(check: SegmentCheck): number {
  return check.sealed ? check.validEnd : check.bytes
}

/** transferable drops the last payload (a Buffer would arrive as a plain Uint8Array). */
function transferable(check: SegmentCheck): SegmentCheck {
  return { ...check, lastPayload: null }
}
