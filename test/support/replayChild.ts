import { EventStore } from '../../src/main/engine/eventStore'
import { PayloadCutter } from '../../src/main/engine/payloadCutter'
import { replay } from '../../src/main/engine/replay'

/**
 * A process that replays a store through a payload worker and then simply ends, without
 * stopping the worker: it must exit on its own (an idle worker does not hold the process).
 * Usage: node replay-child.js STORE_DIR WORKER_FILE once|twice; prints the events counted.
 */
async function main(): Promise<void> {
  const [dir, workerFile, times] = process.argv.slice(2)
  if (!dir || !workerFile || (times !== 'once' && times !== 'twice')) {
    throw new Error('usage: replay-child.js STORE_DIR WORKER_FILE once|twice')
  }
  const store = await EventStore.open(dir, {
    access: 'read',
    monitor: { evaluateIntervalMs: null },
  })
  const cutter = new PayloadCutter(() => workerFile, 0)
  // Once, the first events only: every run is cut here while the worker starts.
  const toSequence = times === 'once' ? 100 : undefined
  let count = await replay(store, 1, () => undefined, { cutter, toSequence })
  if (times === 'twice') {
    // Again with the worker surely up: runs are out on it and come back.
    await new Promise((resolve) => setTimeout(resolve, 500))
    count += await replay(store, 1, () => undefined, { cutter })
  }
  await store.close()
  console.log(JSON.stringify({ count, workerUp: cutter.workerThreadIds.length > 0 }))
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
