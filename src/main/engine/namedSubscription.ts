import type { EventStore } from './eventStore'
import { isCode, writeFileDurably } from './fileSystem'
import type {
  SubscribeOptions,
  Subscription,
  SubscriptionEnd,
  SubscriptionState,
} from './subscription'
import { SubscriptionRunner } from './subscription'
import { StoreError, ValidationError } from './errors'
import { CONSUMER_NAME_PATTERN } from './limits'

/**
 * A named (durable) subscription keeps its consumer's acknowledged position in the store
 * directory, `consumers/<name>.json`, written atomically (temp file, fsync, rename, fsync
 * the directory), so a consumer that stops, crashes or restarts resumes right after the
 * last event it acknowledged: at-least-once delivery of everything after it.
 *
 * Only a writer may keep positions: readers never write in the store directory. One
 * subscription per name at a time in a process (and only one process is the writer).
 * Acknowledgements only move forward; concurrent `ack` calls share one file write.
 */
export const CONSUMERS_DIR = 'consumers'

export interface NamedSubscription extends Subscription {
  readonly name: string
  /** The last acknowledged sequence that is durably recorded (0 before any). */
  readonly acknowledged: number
  /**
   * ack records that every event up to `sequence` was handled; it resolves once that is
   * durable. `sequence` may not exceed the last event handed to `onEvents`.
   */
  ack(sequence: number): Promise<void>
}

export type NamedSubscribeOptions = Omit<SubscribeOptions, 'fromSequence'>

/** The file format of one consumer's position. */
interface ConsumerFile {
  format: 'lighthouse-consumer'
  version: 1
  name: string
  acknowledged_sequence: number
  updated_at: string
}

/** Names subscribed right now, per store: two subscriptions of one name would race their acks. */
const active = new WeakMap<EventStore, Set<string>>()

/** subscribeNamed resumes consumer `name` right after its acknowledged position. */
export async function subscribeNamed(
  store: EventStore,
  name: string,
  options: NamedSubscribeOptions,
): Promise<NamedSubscription> {
  validateConsumerName(name)
  if (store.mode !== 'writable') {
    throw new StoreError(
      'read_only',
      `Named subscription "${name}" keeps its position in the store directory, but this store is ` +
        `${store.mode.replace('_', ' ')} and a reader never writes there. Open the store for writing, ` +
        'or use subscribe() with fromSequence.',
    )
  }
  const names = active.get(store) ?? new Set<string>()
  if (names.has(name)) {
    throw new StoreError(
      'validation',
      `Consumer "${name}" is already subscribed; close that subscription first.`,
    )
  }
  names.add(name)
  active.set(store, names)
  try {
    const { fs, dir } = store.files
    await fs.mkdir(`${dir}/${CONSUMERS_DIR}`)
    await fs.syncDir(dir)
    const acknowledged = await readConsumerPosition(store, name)
    return new DurableSubscription(store, name, acknowledged, options, () => names.delete(name))
  } catch (error) {
    names.delete(name)
    throw error
  }
}

/** readConsumerPosition is consumer `name`'s acknowledged sequence, 0 when it has none. */
export async function readConsumerPosition(store: EventStore, name: string): Promise<number> {
  validateConsumerName(name)
  const { fs, dir } = store.files
  const file = `${CONSUMERS_DIR}/${name}.json`
  let bytes: Buffer
  try {
    bytes = await fs.readFile(`${dir}/${file}`)
  } catch (error) {
    if (isCode(error, 'ENOENT')) return 0
    throw error
  }
  let parsed: Partial<ConsumerFile> | null = null
  try {
    parsed = JSON.parse(bytes.toString('utf8')) as Partial<ConsumerFile>
  } catch {
    // Reported below with the other shapes that are not a position.
  }
  const sequence = parsed?.acknowledged_sequence
  if (
    parsed?.format !== 'lighthouse-consumer' ||
    parsed.name !== name ||
    typeof sequence !== 'number' ||
    !Number.isSafeInteger(sequence) ||
    sequence < 0
  ) {
    throw new StoreError(
      'corruption',
      `${file} in ${dir} is not a valid consumer position. Remove it to start consumer "${name}" ` +
        'again from the first event, or write the position to resume from.',
    )
  }
  return sequence
}

export function validateConsumerName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !CONSUMER_NAME_PATTERN.test(name)) {
    throw new ValidationError(
      'name',
      `must be 1 to 64 letters, digits, ".", "_" or "-" (CONSUMER_NAME_PATTERN), got ${JSON.stringify(name)}`,
    )
  }
}

class DurableSubscription implements NamedSubscription {
  private readonly runner: SubscriptionRunner
  private written: number
  private wanted: number
  /** The one position write in flight; later acks wait for it, then share the next one. */
  private writing: Promise<void> | null = null

  constructor(
    private readonly store: EventStore,
    readonly name: string,
    acknowledged: number,
    options: NamedSubscribeOptions,
    release: () => void,
  ) {
    this.written = acknowledged
    this.wanted = acknowledged
    this.runner = new SubscriptionRunner(store, { ...options, fromSequence: acknowledged + 1 })
    void this.runner.ended.then(release)
  }

  get state(): SubscriptionState {
    return this.runner.state
  }

  get position(): number {
    return this.runner.position
  }

  get ended(): Promise<SubscriptionEnd> {
    return this.runner.ended
  }

  get acknowledged(): number {
    return this.written
  }

  async ack(sequence: number): Promise<void> {
    if (!Number.isSafeInteger(sequence) || sequence < 0) {
      throw new ValidationError(
        'sequence',
        `must be a whole number of 0 or more, got ${String(sequence)}`,
      )
    }
    if (sequence > this.runner.offered) {
      throw new ValidationError(
        'sequence',
        `${sequence} was not delivered yet: the last event handed to consumer "${this.name}" is ${this.runner.offered}`,
      )
    }
    if (sequence < this.wanted) {
      throw new ValidationError(
        'sequence',
        `${sequence} is before consumer "${this.name}"'s acknowledged position ${this.wanted}: acknowledgements only move forward`,
      )
    }
    this.wanted = sequence
    while (this.written < sequence) {
      this.writing ??= this.writePosition().finally(() => (this.writing = null))
      await this.writing
    }
  }

  async close(): Promise<void> {
    await this.runner.close()
    while (this.writing) await this.writing
  }

  private async writePosition(): Promise<void> {
    const sequence = this.wanted
    const file: ConsumerFile = {
      format: 'lighthouse-consumer',
      version: 1,
      name: this.name,
      acknowledged_sequence: sequence,
      updated_at: new Date().toISOString(),
    }
    const { fs, dir } = this.store.files
    const bytes = Buffer.from(`${JSON.stringify(file)}\n`)
    await writeFileDurably(fs, `${dir}/${CONSUMERS_DIR}`, `${this.name}.json`, bytes)
    this.written = Math.max(this.written, sequence)
  }
}
