import { createInterface } from 'node:readline'
import { EventStore } from '../engine/eventStore'
import type { AppendResult } from '../../shared/event'
import { ValidationError } from '../engine/errors'
import type { CliIo } from './cliIo'
import { EXIT, writeLine } from './cliIo'
import { integerOption, parseCommand } from './args'

/** Appends in flight at once: enough for group commit to batch, bounded so memory is too. */
const APPEND_IN_FLIGHT_MAX = 1024

/**
 * append reads NDJSON events from stdin and prints `{"sequence","event_id"}` for each, in
 * order, only once it is durable. On a bad line, the lines before it are stored and
 * acknowledged, then the command stops with exit 2 naming the line and the field.
 */
export async function appendCommand(args: string[], io: CliIo): Promise<number> {
  const { dir, values } = parseCommand(args, {
    'segment-bytes': { type: 'string' },
    'node-id': { type: 'string' },
    json: { type: 'boolean' },
  })
  const store = await EventStore.open(dir, {
    create: true,
    segmentBytesMax: integerOption(values['segment-bytes'], 'segment-bytes', 1),
    nodeId: values['node-id'],
  })
  try {
    const inFlight: Promise<AppendResult>[] = []
    const acknowledgeOldest = async () =>
      writeLine(io.stdout, JSON.stringify(await inFlight.shift()!))
    let lineNumber = 0
    let failure: Error | null = null
    for await (const line of createInterface({ input: io.stdin, crlfDelay: Infinity })) {
      lineNumber++
      if (line.trim() === '') continue
      try {
        const pending = submitLine(store, line, lineNumber)
        // Awaited in order below; this keeps a store failure from being an unhandled rejection.
        pending.catch(() => undefined)
        inFlight.push(pending)
      } catch (error) {
        failure = error as Error
        break
      }
      if (inFlight.length >= APPEND_IN_FLIGHT_MAX) await acknowledgeOldest()
    }
    while (inFlight.length > 0) await acknowledgeOldest()
    if (failure) throw failure
    return EXIT.ok
  } finally {
    await store.close()
  }
}

/** submitLine queues one line's event; bad input throws at once, naming the line and field. */
function submitLine(store: EventStore, line: string, lineNumber: number): Promise<AppendResult> {
  let input: unknown
  try {
    input = JSON.parse(line)
  } catch (error) {
    throw new ValidationError(
      `line ${lineNumber}`,
      `is not valid JSON: ${(error as Error).message}`,
    )
  }
  try {
    const { results, durable } = store.submit([input], 'event')
    return durable.then(() => results[0]!)
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error
    const detail = error.message.slice(error.field.length + 1)
    throw new ValidationError(`line ${lineNumber}: ${error.field}`, detail, error.code)
  }
}
