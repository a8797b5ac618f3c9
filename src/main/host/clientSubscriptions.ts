import { randomUUID } from 'node:crypto'
import type { EventFilter } from '../../shared/query'
import type { SubscriptionEndReason } from '../../shared/push'
import type { EventStore } from '../engine/eventStore'
import type { Subscription } from '../engine/subscription'
import { subscribe } from '../engine/subscription'
import { StoreError, ValidationError } from '../engine/errors'
import type { HostLog } from './hostResult'
import { notFound } from './hostResult'
import type { PushChannel } from './pushChannel'
import { SUBSCRIPTIONS_PER_CLIENT_MAX } from './hostLimits'

/**
 * ClientSubscriptions are one client's live subscriptions, each an engine subscription
 * (catch-up, then live, no gap and no duplicate) whose deliveries go into the client's
 * PushChannel. A delivery waits for room in the channel, so catching up goes at the
 * client's pace; meanwhile new events wait in the engine's bounded subscription queue.
 * A client that falls behind loses its subscriptions with reason `overflow`, either way:
 * the engine's queue overflows, or the channel holds too many events (see PushChannel).
 * Every end is pushed as `subscription_ended`; the client resumes after the last event it
 * received. Queued events of a subscription that was closed or overflowed are dropped.
 */
interface Entry {
  subscription: Subscription
  /** Set when the channel overflowed: the engine then hears `closed`, the client `overflow`. */
  overflowed: boolean
}

export class ClientSubscriptions {
  private readonly entries = new Map<string, Entry>()

  constructor(
    private readonly channel: PushChannel,
    private readonly log: HostLog,
  ) {}

  add(store: EventStore, filter: EventFilter, fromSequence: number | undefined): string {
    if (this.entries.size >= SUBSCRIPTIONS_PER_CLIENT_MAX) {
      throw new StoreError(
        'overloaded',
        `This client already holds ${this.entries.size} subscriptions, the limit (SUBSCRIPTIONS_PER_CLIENT_MAX); unsubscribe one first.`,
      )
    }
    if (fromSequence !== undefined && (!Number.isSafeInteger(fromSequence) || fromSequence < 1)) {
      throw new ValidationError(
        'from_sequence',
        `must be a whole number of 1 or more, got ${String(fromSequence)}`,
      )
    }
    const id = randomUUID()
    const entry: Entry = {
      overflowed: false,
      subscription: subscribe(store, {
        filter: filter ?? {},
        ...(fromSequence !== undefined ? { fromSequence } : {}),
        onEvents: async (events) => {
          if (entry.overflowed) return
          this.channel.pushEvents(id, events)
          await this.channel.room()
        },
        onEnd: (end) => {
          this.entries.delete(id)
          const reason: SubscriptionEndReason = entry.overflowed ? 'overflow' : end.reason
          if (reason === 'error') this.log(`subscription ${id} ended: ${end.message}`, end.error)
          if (reason === 'closed' || reason === 'overflow') this.channel.dropSubscription(id)
          this.channel.push({ type: 'subscription_ended', subscription_id: id, reason })
        },
      }),
    }
    this.entries.set(id, entry)
    return id
  }

  async remove(id: string): Promise<void> {
    const entry = typeof id === 'string' ? this.entries.get(id) : undefined
    if (!entry) throw notFound(`subscription ${String(id)}`)
    await entry.subscription.close()
  }

  /** overflow ends every subscription of the client: it did not keep up. */
  overflow(): void {
    for (const [id, entry] of this.entries) {
      if (entry.overflowed) continue
      entry.overflowed = true
      this.channel.dropSubscription(id)
      entry.subscription
        .close()
        .catch((error: unknown) => this.log(`closing subscription ${id} failed`, error))
    }
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.entries.values()].map((entry) => entry.subscription.close()))
  }
}
