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
    const acks = new AckPrinter(io)
    let lineNumber = 0
    let failure: Error | null = null
    for await (const line of createInterface({ input: io.stdin, crlfDelay: Infinity })) {
      lineNumber++
      if (line.trim() === '') continue
      try {
        acks.add(submitLine(store, line, lineNumber))
      } catch (error) {
        failure = error as Error
        break
      }
      await acks.belowLimit()
      if (acks.failure) break
    }
    await acks.finish()
    const error = failure ?? acks.failure
    if (error) throw error
    return EXIT.ok
  } finally {
    await store.close()
  }
}

/**
 * AckPrinter prints acknowledgements in order as soon as each append is durable, while
 * more lines are still being read (a client may wait for one ack before sending more).
 */
class AckPrinter {
  private readonly inFlight: Promise<AppendResult>[] = []
  private wake: (() => void) | null = null
  private inputDone = false
  private readonly printing: Promise<void>
  failure: Error | null = null

  constructor(private readonly io: CliIo) {
    this.printing = this.print()
  }

  add(pending: Promise<AppendResult>): void {
    // Awaited in order by print(); this keeps a failure from being an unhandled rejection.
    pending.catch(() => undefined)
    this.inFlight.push(pending)
    this.wake?.()
  }

  /** belowLimit waits while APPEND_IN_FLIGHT_MAX appends are waiting for their ack. */
  async belowLimit(): Promise<void> {
    while (this.inFlight.length >= APPEND_IN_FLIGHT_MAX && !this.failure) {
      await this.inFlight[0]!.catch(() => undefined)
      await new Promise((resolve) => setImmediate(resolve))
    }
  }

  async finish(): Promise<void> {
    this.inputDone = true
    this.wake?.()
    await this.printing
  }

  private async print(): Promise<void> {
    for (;;) {
      const next = this.inFlight[0]
      if (!next) {
        if (this.inputDone) return
        await new Promise<void>((resolve) => (this.wake = resolve))
        this.wake = null
        continue
      }
      try {
        const result = await next
        void this.inFlight.shift()
        await writeLine(this.io.stdout, JSON.stringify(result))
      } catch (error) {
        this.failure = error as Error
        return
      }
    }
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
    return store.submit([input], 'event').then((results) => results[0]!)
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error
    const detail = error.message.slice(error.field.length + 1)
    throw new ValidationError(`line ${lineNumber}: ${error.field}`, detail, error.code)
  }
}
