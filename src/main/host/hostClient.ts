import type { PushEvent } from '../../shared/push'
import type {
  JobInfo,
  StoreApi,
  StoreApiMethod,
  StoreApiMethods,
  StoreHandle,
  Result,
} from '../../shared/storeApi'
import { BROWSING_METHODS } from '../../shared/storeApi'
import { StoreError, ValidationError } from '../engine/errors'
import { ClientSubscriptions } from './clientSubscriptions'
import { attempt } from './hostResult'
import { notFound } from './hostResult'
import type { PushScheduler, PushSink } from './pushChannel'
import { PushChannel } from './pushChannel'
import { readRawRecord } from './rawRecord'
import { listRecoveryReports, readRecoveryReport } from './recoveryReports'
import { segmentRows } from './segmentRows'
import type { StoreHost } from './storeHost'

/** Marks the methods that take no arguments, so the others can insist on an object. */
const NO_ARGS = Symbol('no arguments')

type Args<M extends StoreApiMethod> = StoreApiMethods[M]['args']
type Answer<M extends StoreApiMethod> = Promise<Result<StoreApiMethods[M]['result']>>

/**
 * HostClient is one connected UI (a window, a WebSocket connection): StoreApi over the
 * host, plus the client's own push channel and subscriptions. Every method resolves to a
 * Result and never rejects (see hostResult.ts). `close()` ends its subscriptions and
 * stops its pushes; the host's stores and jobs are shared and stay.
 *
 * A client with a `scope` (browser mode, or the bridge of a store the app serves) sees
 * that one store as if the host had no other: BROWSING_METHODS answer `not_available`,
 * other handles and their jobs `not_found`, and only the store's pushes reach it.
 */
export class HostClient implements StoreApi {
  private readonly channel: PushChannel
  private readonly subscriptions: ClientSubscriptions
  private closed = false

  constructor(
    private readonly host: StoreHost,
    sink: PushSink,
    scheduler: PushScheduler | undefined,
    private readonly onClose: () => void,
    private readonly scope: StoreHandle | null,
  ) {
    this.channel = new PushChannel({
      sink,
      onOverflow: () => this.subscriptions.overflow(),
      onSinkError: (error) => host.log('a client failed to take a push batch', error),
      ...(scheduler ? { scheduler } : {}),
    })
    this.subscriptions = new ClientSubscriptions(this.channel, host.log)
  }

  /** push queues a host-wide push for this client. */
  push(event: PushEvent): void {
    if (this.scope !== null && pushedHandle(event) !== this.scope) return
    this.channel.push(event)
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.onClose()
    await this.subscriptions.closeAll()
    this.channel.close()
  }

  listRecent(): Answer<'listRecent'> {
    return this.call('listRecent', NO_ARGS, () => this.host.listRecent())
  }

  openStore(args: Args<'openStore'>): Answer<'openStore'> {
    return this.call('openStore', args, () => this.host.openStore(args.path, args.access))
  }

  createStore(args: Args<'createStore'>): Answer<'createStore'> {
    return this.call('createStore', args, () => this.host.createStore(args.path))
  }

  openDemo(): Answer<'openDemo'> {
    return this.call('openDemo', NO_ARGS, () => this.host.openDemo())
  }

  closeStore(args: Args<'closeStore'>): Answer<'closeStore'> {
    return this.call('closeStore', args, () => this.host.closeStore(args.handle))
  }

  listOpen(): Answer<'listOpen'> {
    return this.call('listOpen', NO_ARGS, () =>
      this.host
        .listOpen()
        .filter((summary) => this.scope === null || summary.handle === this.scope),
    )
  }

  summary(args: Args<'summary'>): Answer<'summary'> {
    return this.call('summary', args, () => this.host.hosted(args.handle).summary())
  }

  query(args: Args<'query'>): Answer<'query'> {
    return this.call('query', args, () => this.host.hosted(args.handle).store.query(args.query))
  }

  getEvent(args: Args<'getEvent'>): Answer<'getEvent'> {
    return this.call('getEvent', args, async () => {
      const store = this.host.hosted(args.handle).store
      const byId = args.event_id !== undefined
      if (byId === (args.sequence !== undefined)) {
        throw new ValidationError('event_id', 'or sequence must be given, and not both')
      }
      const event = byId
        ? await store.getEvent(args.event_id!)
        : await store.getBySequence(args.sequence!)
      if (!event)
        throw notFound(byId ? `event ${args.event_id}` : `event with sequence ${args.sequence}`)
      return event
    })
  }

  getRawRecord(args: Args<'getRawRecord'>): Answer<'getRawRecord'> {
    return this.call('getRawRecord', args, () =>
      readRawRecord(this.host.hosted(args.handle).store, args.sequence),
    )
  }

  subscribe(args: Args<'subscribe'>): Answer<'subscribe'> {
    return this.call('subscribe', args, () => {
      if (this.closed) throw new StoreError('store_closed', 'This client is closed.')
      const store = this.host.hosted(args.handle).store
      return { subscription_id: this.subscriptions.add(store, args.filter, args.from_sequence) }
    })
  }

  unsubscribe(args: Args<'unsubscribe'>): Answer<'unsubscribe'> {
    return this.call('unsubscribe', args, async () => {
      await this.subscriptions.remove(args.subscription_id)
      return null
    })
  }

  listSegments(args: Args<'listSegments'>): Answer<'listSegments'> {
    return this.call('listSegments', args, () => segmentRows(this.host.hosted(args.handle)))
  }

  startVerification(args: Args<'startVerification'>): Answer<'startVerification'> {
    return this.call('startVerification', args, () =>
      this.host.startVerification(args.handle, args.file),
    )
  }

  cancelJob(args: Args<'cancelJob'>): Answer<'cancelJob'> {
    return this.call('cancelJob', args, () => {
      this.jobInScope(args.job_id)
      return this.host.jobs.cancel(args.job_id)
    })
  }

  getJob(args: Args<'getJob'>): Answer<'getJob'> {
    return this.call('getJob', args, () => this.jobInScope(args.job_id))
  }

  runRecovery(args: Args<'runRecovery'>): Answer<'runRecovery'> {
    return this.call('runRecovery', args, () => this.host.runRecovery(args.handle))
  }

  rebuildIndexes(args: Args<'rebuildIndexes'>): Answer<'rebuildIndexes'> {
    return this.call('rebuildIndexes', args, () => this.host.rebuildIndexes(args.handle))
  }

  listRecoveryReports(args: Args<'listRecoveryReports'>): Answer<'listRecoveryReports'> {
    return this.call('listRecoveryReports', args, () => {
      const hosted = this.host.hosted(args.handle)
      return listRecoveryReports(hosted.store, hosted.manualReportIds)
    })
  }

  getRecoveryReport(args: Args<'getRecoveryReport'>): Answer<'getRecoveryReport'> {
    return this.call('getRecoveryReport', args, () =>
      readRecoveryReport(this.host.hosted(args.handle).store, args.id),
    )
  }

  slaSnapshot(args: Args<'slaSnapshot'>): Answer<'slaSnapshot'> {
    return this.call('slaSnapshot', args, () =>
      this.host.sla.slaSnapshot(this.host.hosted(args.handle), args),
    )
  }

  slaHistory(args: Args<'slaHistory'>): Answer<'slaHistory'> {
    return this.call('slaHistory', args, () =>
      this.host.sla.slaHistory(this.host.hosted(args.handle), args),
    )
  }

  setSlaThresholds(args: Args<'setSlaThresholds'>): Answer<'setSlaThresholds'> {
    return this.call('setSlaThresholds', args, () =>
      this.host.sla.setSlaThresholds(this.host.hosted(args.handle), args),
    )
  }

  approveRecovery(args: Args<'approveRecovery'>): Answer<'approveRecovery'> {
    return this.call('approveRecovery', args, () =>
      this.host.sla.approveRecovery(this.host.hosted(args.handle), args),
    )
  }

  health(args: Args<'health'>): Answer<'health'> {
    return this.call('health', args, () =>
      this.host.sla.health(this.host.hosted(args.handle), args),
    )
  }

  append(args: Args<'append'>): Answer<'append'> {
    return this.call('append', args, () =>
      this.host.hosted(args.handle).store.appendBatch(args.events),
    )
  }

  startLoad(args: Args<'startLoad'>): Answer<'startLoad'> {
    return this.call('startLoad', args, () => this.host.startLoad(args.handle, args.settings))
  }

  stopLoad(args: Args<'stopLoad'>): Answer<'stopLoad'> {
    return this.call('stopLoad', args, () => this.host.stopLoad(args.handle))
  }

  startServer(args: Args<'startServer'>): Answer<'startServer'> {
    return this.call('startServer', args, () =>
      this.host.servers.start(this.host.hosted(args.handle), args.port),
    )
  }

  stopServer(args: Args<'stopServer'>): Answer<'stopServer'> {
    return this.call('stopServer', args, () => this.host.servers.stop(args.handle))
  }

  serverStatus(args: Args<'serverStatus'>): Answer<'serverStatus'> {
    return this.call('serverStatus', args, () =>
      this.host.servers.status(this.host.hosted(args.handle)),
    )
  }

  /** jobInScope is a job this client may see; another store's job is `not_found`. */
  private jobInScope(jobId: string): JobInfo {
    const job = this.host.jobs.get(jobId)
    if (this.scope !== null && job.handle !== this.scope) throw notFound(`job ${jobId}`)
    return job
  }

  /**
   * call runs one method: refused in a scoped client when it browses or names another
   * store, refused when a method that takes arguments got no object, then run with its
   * outcome turned into a Result.
   */
  private call<M extends StoreApiMethod>(
    method: M,
    args: Args<M> | typeof NO_ARGS,
    run: () => Promise<StoreApiMethods[M]['result']> | StoreApiMethods[M]['result'],
  ): Answer<M> {
    return attempt(method, this.host.log, () => {
      if (this.scope !== null && (BROWSING_METHODS as readonly string[]).includes(method)) {
        throw new StoreError(
          'not_available',
          `${method} is not available here: this host serves one store only.`,
        )
      }
      if (args !== NO_ARGS && (typeof args !== 'object' || args === null || Array.isArray(args))) {
        throw new ValidationError('args', `of ${method} must be an object`)
      }
      // The same answer as a handle the host never had: a scoped client learns nothing more.
      if (
        this.scope !== null &&
        args !== NO_ARGS &&
        'handle' in args &&
        args.handle !== this.scope
      ) {
        throw notFound('open store with this handle')
      }
      return run()
    })
  }
}

/** pushedHandle is the store a push is about; null for the client's own pushes and menus. */
function pushedHandle(event: PushEvent): StoreHandle | null {
  switch (event.type) {
    case 'job':
      return event.job.handle
    case 'events':
    case 'subscription_ended':
    case 'menu':
      return null
    default:
      return event.handle
  }
}
