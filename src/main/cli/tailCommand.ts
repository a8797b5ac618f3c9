import { once } from 'node:events'
import type { StoredEvent } from '../../shared/event'
import type { EventFilter } from '../../shared/query'
import { EventStore } from '../engine/eventStore'
import { follow } from '../engine/follow'
import type { Follower } from '../engine/follow'
import { subscribe } from '../engine/subscription'
import type { SubscriptionEnd } from '../engine/subscription'
import type { CliIo } from './cliIo'
import { EXIT } from './cliIo'
import { integerOption, parseCommand } from './args'
import { FILTER_OPTIONS, filterFromOptions } from './filterOptions'
import { stopOnSignals } from './stopOnSignals'

/**
 * tail prints the events matching the filters as NDJSON as they are appended, by another
 * process too (follow mode on a read-only open: it never modifies the store), until SIGINT
 * or SIGTERM, or until whatever reads its output goes away. Without `--from-seq N` it starts
 * with the next new event; with it, it prints the stored events from N first (inclusive).
 *
 * When its output is slower than the appends, the subscription overflows and tail picks up
 * again from disk where it stopped: no event is skipped or printed twice.
 */
export async function tailCommand(args: string[], io: CliIo, stop?: AbortSignal): Promise<number> {
  const { dir, values } = parseCommand(args, {
    ...FILTER_OPTIONS,
    'from-seq': { type: 'string' },
    json: { type: 'boolean' },
  })
  const filter = filterFromOptions(values)
  const fromSequence = integerOption(values['from-seq'], 'from-seq', 1)
  const signals = stop ? null : stopOnSignals()
  // An open that meets a seal half-way starts again on its own (analyzeStore).
  const store = await EventStore.open(dir, { access: 'read' })
  try {
    await tailStore(store, io, filter, fromSequence, stop ?? signals!.signal)
    return EXIT.ok
  } finally {
    signals?.dispose()
    await store.close()
  }
}

async function tailStore(
  store: EventStore,
  io: CliIo,
  filter: EventFilter,
  fromSequence: number | undefined,
  stop: AbortSignal,
): Promise<void> {
  const stopped = new AbortController()
  const onAbort = (): void => stopped.abort()
  stop.addEventListener('abort', onAbort, { once: true })
  // A closed pipe (`tail … | head`) ends tail quietly, like a signal.
  io.stdout.once('error', onAbort)
  if (stop.aborted) onAbort()
  const aborted = once(stopped.signal, 'abort').then(() => null)
  const print = async (events: StoredEvent[]): Promise<void> => {
    const text = `${events.map((event) => JSON.stringify(event)).join('\n')}\n`
    if (!io.stdout.write(text)) await Promise.race([once(io.stdout, 'drain'), aborted])
  }
  let from = fromSequence ?? store.lastSequence + 1
  let follower: Follower | null = null
  try {
    for (;;) {
      // Subscribe before following, so the first events the follower finds are not missed.
      const subscription = subscribe(store, { filter, fromSequence: from, onEvents: print })
      follower ??= follow(store)
      const failed = follower.stopped.then((end) => end)
      const outcome = await Promise.race([subscription.ended, failed, aborted])
      await subscription.close()
      if (outcome === null) return
      if ('resumeFrom' in outcome) {
        if (outcome.reason !== 'overflow') throw endError(outcome)
        from = outcome.resumeFrom
        continue
      }
      if (outcome.reason === 'error') throw outcome.error
      return
    }
  } finally {
    stop.removeEventListener('abort', onAbort)
    io.stdout.off('error', onAbort)
    await follower?.close()
  }
}

function endError(end: SubscriptionEnd): unknown {
  return end.error ?? new Error(end.message)
}
