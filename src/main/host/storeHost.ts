import { randomUUID } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { PushEvent } from '../../shared/push'
import type {
  JobInfo,
  LoadSettings,
  LoadStatus,
  RecentStore,
  StoreAccess,
  StoreHandle,
  StoreSummary,
} from '../../shared/storeApi'
import { StoreError, ValidationError } from '../engine/errors'
import type { StoreMonitorOptions } from '../engine/eventStore'
import { STORE_FILE } from '../engine/storeDirectory'
import { ensureDemoStore } from './demoStore'
import { HostClient } from './hostClient'
import { HostedServers } from './hostedServers'
import { HostedStore, type HostedStoreWatch } from './hostedStore'
import type { HostLog } from './hostResult'
import { consoleLog, notFound } from './hostResult'
import { JobRegistry } from './jobRegistry'
import { LoadGenerator } from './loadGenerator'
import type { PushScheduler, PushSink } from './pushChannel'
import { RecentStores } from './recentStores'
import { RECOVER_WORKER_FILE } from './recoveryRun'
import { INDEX_WORKER_FILE } from './indexRebuildRun'
import { segmentRows } from './segmentRows'
import type { StoreSla } from './storeSla'
import { storeSla } from './storeSla'
import type { JobContext } from './storeJobs'
import { startIndexRebuild, startStoreRecovery, startStoreVerification } from './storeJobs'
import { builtWorkerPath } from '../engine/builtWorkerPath'
import { CLIENTS_MAX, STORES_OPEN_MAX, SUMMARY_PUSH_INTERVAL_MS } from './hostLimits'

/**
 * StoreHost runs stores for the UI: it opens them under opaque random handles (a client
 * never gets a path it could write to), runs jobs on them, and fans its pushes out to
 * every connected client. Clients (`connect`) implement StoreApi; the methods below are
 * the throwing core they wrap, and are not meant to be called from anywhere else.
 *
 * Two kinds of host: `StoreHost.create` is the desktop host, which browses (opens,
 * creates, remembers recent stores, builds the demo store); `StoreHost.forStore` serves
 * one store it opens at start (browser mode), and answers BROWSING_METHODS with
 * `not_available`. The desktop host can also serve one of its open stores over HTTP
 * (`servers`, hostedServers.ts); such a server stops when its store closes.
 *
 * A store's `store` push goes out when it opens, closes, changes its SLA level or mode (the
 * engine tells), and when its summary changes otherwise (counts, append rate), checked
 * every SUMMARY_PUSH_INTERVAL_MS. Every SLA transition is pushed as `degradation` at once.
 * While any client is connected, each store's `sla` and `health` go out on the same tick,
 * and a load generator's `load` status when it changed; these pushes describe a state, so
 * a slow client's channel keeps only the newest of each.
 */
export interface HostOptions {
  /** The built verification worker; default: found next to the bundle (out/main). */
  verifyWorkerPath?: string
  /** The built recovery worker (recover-worker.js); default: found like the verification worker. */
  recoverWorkerPath?: string
  /** The built index worker (index-worker.js); default: found like the verification worker. */
  indexWorkerPath?: string
  /** Where the five SLA calls go; default: the store's own monitor (see storeSla.ts). */
  sla?: StoreSla
  /** The SLA monitor options of every store the host opens (tests inject probes). */
  storeMonitor?: StoreMonitorOptions
  log?: HostLog
  /** Schedules push flushes (tests inject one); default setTimeout. */
  pushScheduler?: PushScheduler
}

export interface BrowsingHostOptions extends HostOptions {
  /** Where the recent stores and their settings are kept (stores.json). */
  configDir: string
  /** Where the demo store is built on first use. */
  userDataDir: string
}

interface Browsing {
  configDir: string
  userDataDir: string
}

export class StoreHost {
  readonly jobs: JobRegistry
  readonly sla: StoreSla
  readonly log: HostLog
  readonly servers: HostedServers
  private readonly stores = new Map<StoreHandle, HostedStore>()
  /** Opens in progress by path, so two opens of one path share one store. */
  private readonly opening = new Map<string, Promise<HostedStore>>()
  private readonly clients = new Set<HostClient>()
  private readonly pushedSummaries = new Map<StoreHandle, string>()
  private readonly pushedLoads = new Map<StoreHandle, string>()
  private readonly pushTimer: NodeJS.Timeout
  private readonly watch: HostedStoreWatch
  private readonly jobContext: JobContext
  private recent: Promise<RecentStores> | null = null
  private demo: Promise<string> | null = null
  private scope: StoreHandle | null = null

  private constructor(
    private readonly options: HostOptions,
    private readonly browsing: Browsing | null,
  ) {
    this.log = options.log ?? consoleLog
    this.sla = options.sla ?? storeSla
    this.jobs = new JobRegistry((job) => this.broadcast({ type: 'job', job }), this.log)
    this.servers = new HostedServers(this)
    this.jobContext = {
      jobs: this.jobs,
      verifyWorkerPath: options.verifyWorkerPath,
      recoverWorkerPath: () => builtWorkerPath(RECOVER_WORKER_FILE, options.recoverWorkerPath),
      indexWorkerPath: () => builtWorkerPath(INDEX_WORKER_FILE, options.indexWorkerPath),
      segmentsChanged: (hosted) => this.pushSegments(hosted),
      reopen: (hosted) => this.reopen(hosted),
    }
    this.watch = {
      transition: (hosted, transition) => {
        this.broadcast({ type: 'degradation', handle: hosted.handle, transition })
        this.pushSummary(hosted)
      },
      modeChanged: (hosted) => this.pushSummary(hosted),
    }
    this.pushTimer = setInterval(() => this.pushPeriodic(), SUMMARY_PUSH_INTERVAL_MS)
    this.pushTimer.unref()
  }

  /** create makes the desktop host, which browses stores. */
  static create(options: BrowsingHostOptions): StoreHost {
    const { configDir, userDataDir, ...rest } = options
    return new StoreHost(rest, { configDir, userDataDir })
  }

  /** forStore opens one store and makes a host that serves only it (browser mode). */
  static async forStore(
    path: string,
    access: StoreAccess,
    options: HostOptions = {},
  ): Promise<StoreHost> {
    const host = new StoreHost(options, null)
    try {
      host.scope = (await host.openHosted(path, access, false)).handle
    } catch (error) {
      await host.close()
      throw error
    }
    return host
  }

  /**
   * connect adds a client whose pushes go to `sink`; close the client when it goes away.
   * A client scoped to a store sees only it (see HostClient); a browser-mode host scopes
   * every client to its store.
   */
  connect(sink: PushSink, scope: StoreHandle | null = this.scope): HostClient {
    if (this.clients.size >= CLIENTS_MAX) {
      throw new StoreError(
        'overloaded',
        `The host already has ${CLIENTS_MAX} clients (CLIENTS_MAX).`,
      )
    }
    const client = new HostClient(
      this,
      sink,
      this.options.pushScheduler,
      () => this.clients.delete(client),
      scope,
    )
    this.clients.add(client)
    return client
  }

  /** close stops every server, ends every client, job and load, and closes every store. */
  async close(): Promise<void> {
    clearInterval(this.pushTimer)
    await this.servers.closeAll()
    await Promise.all([...this.clients].map((client) => client.close()))
    await this.jobs.cancelAll()
    await Promise.all([...this.stores.values()].map((hosted) => hosted.close()))
    this.stores.clear()
  }

  hosted(handle: StoreHandle): HostedStore {
    if (typeof handle !== 'string')
      throw new ValidationError('handle', 'must be a store handle (a string)')
    const hosted = this.stores.get(handle)
    if (!hosted) throw notFound('open store with this handle')
    return hosted
  }

  listOpen(): StoreSummary[] {
    return [...this.stores.values()]
      .filter((hosted) => hosted.isOpen)
      .map((hosted) => hosted.summary())
  }

  async listRecent(): Promise<RecentStore[]> {
    return (await this.recentStores()).list()
  }

  async openStore(path: string, access: StoreAccess): Promise<StoreSummary> {
    checkPath(path)
    if (access !== 'write' && access !== 'follow') {
      throw new ValidationError('access', `must be "write" or "follow", got ${String(access)}`)
    }
    const hosted = await this.openHosted(path, access, false)
    await (await this.recentStores()).remember(hosted.path, access)
    return hosted.summary()
  }

  /** createStore makes a new store in a missing or empty directory and opens it for writing. */
  async createStore(path: string): Promise<StoreSummary> {
    checkPath(path)
    const dir = resolve(path)
    const names = await readdir(dir).catch((): string[] => [])
    if (names.includes(STORE_FILE)) {
      throw new ValidationError(
        'path',
        `${dir} already holds a Lighthouse store: open it instead of creating one`,
      )
    }
    if (names.length > 0) {
      throw new StoreError(
        'not_a_store',
        `${dir} is not empty and is not a Lighthouse store; choose a new or empty directory for the new store.`,
      )
    }
    const hosted = await this.openHosted(dir, 'write', false, true)
    await (await this.recentStores()).remember(hosted.path, 'write')
    return hosted.summary()
  }

  async openDemo(): Promise<StoreSummary> {
    const { userDataDir } = this.browsingDirs()
    // One build at a time; a failed build is tried again by the next call.
    this.demo ??= ensureDemoStore(userDataDir).finally(() => (this.demo = null))
    return (await this.openHosted(await this.demo, 'write', true)).summary()
  }

  async closeStore(handle: StoreHandle): Promise<null> {
    const hosted = this.hosted(handle)
    const job = this.jobs.runningOn(handle)
    // Only a verification can be stopped; recovery and index rebuilds write the store's files.
    if (job !== undefined && job.kind !== 'verify') {
      const what = job.kind === 'recover' ? 'A recovery' : 'An index rebuild'
      throw new StoreError(
        'job_running',
        `${what} is running on this store; close it once the job has ended.`,
      )
    }
    if (job) await this.jobs.cancel(job.job_id)
    await this.forget(hosted)
    return null
  }

  startVerification(handle: StoreHandle, file: string | undefined): JobInfo {
    return startStoreVerification(this.jobContext, this.hosted(handle), file)
  }

  runRecovery(handle: StoreHandle): JobInfo {
    return startStoreRecovery(this.jobContext, this.hosted(handle))
  }

  rebuildIndexes(handle: StoreHandle): JobInfo {
    return startIndexRebuild(this.jobContext, this.hosted(handle))
  }

  async startLoad(handle: StoreHandle, settings: LoadSettings): Promise<LoadStatus> {
    const hosted = this.hosted(handle)
    const status = this.loadOf(hosted).start(settings)
    this.pushLoad(hosted.handle, status)
    if (this.browsing)
      await (await this.recentStores()).updateSettings(hosted.path, { load: settings })
    return status
  }

  stopLoad(handle: StoreHandle): LoadStatus {
    const status = this.loadOf(this.hosted(handle)).stop()
    this.pushLoad(handle, status)
    return status
  }

  broadcast(event: PushEvent): void {
    for (const client of this.clients) client.push(event)
  }

  private loadOf(hosted: HostedStore): LoadGenerator {
    hosted.load ??= new LoadGenerator(() => hosted.store, this.log)
    return hosted.load
  }

  private async openHosted(
    path: string,
    access: StoreAccess,
    isDemo: boolean,
    create = false,
  ): Promise<HostedStore> {
    const dir = resolve(path)
    const open = [...this.stores.values()].find((hosted) => hosted.path === dir)
    if (open) return sameAccess(open, access)
    const pending = this.opening.get(dir)
    if (pending) return sameAccess(await pending, access)
    if (this.stores.size >= STORES_OPEN_MAX) {
      throw new StoreError(
        'overloaded',
        `The host already has ${STORES_OPEN_MAX} stores open (STORES_OPEN_MAX); close one first.`,
      )
    }
    const { storeMonitor: monitor } = this.options
    const opening = HostedStore.open(
      randomUUID(),
      { path: dir, access, isDemo, create, ...(monitor !== undefined ? { monitor } : {}) },
      this.log,
      this.watch,
    )
    this.opening.set(dir, opening)
    try {
      const hosted = await opening
      this.stores.set(hosted.handle, hosted)
      this.pushSummary(hosted)
      return hosted
    } finally {
      this.opening.delete(dir)
    }
  }

  /** reopen opens a store again after recovery; a store that fails to open is dropped. */
  private async reopen(hosted: HostedStore): Promise<void> {
    try {
      await hosted.resume()
    } catch (error) {
      await this.forget(hosted)
      throw error
    }
    this.pushSummary(hosted)
  }

  private async forget(hosted: HostedStore): Promise<void> {
    await this.servers.stop(hosted.handle)
    this.stores.delete(hosted.handle)
    this.pushedSummaries.delete(hosted.handle)
    this.pushedLoads.delete(hosted.handle)
    await hosted.close()
    this.broadcast({ type: 'store', handle: hosted.handle, summary: null })
  }

  private pushSummary(hosted: HostedStore): void {
    if (!hosted.isOpen) return
    const summary = hosted.summary()
    this.pushedSummaries.set(hosted.handle, summaryKey(summary))
    this.broadcast({ type: 'store', handle: hosted.handle, summary })
  }

  /** pushPeriodic is the timer's tick: summaries that changed, then what clients watch live. */
  private pushPeriodic(): void {
    for (const hosted of this.stores.values()) {
      if (!hosted.isOpen) continue
      const summary = hosted.summary()
      if (this.pushedSummaries.get(hosted.handle) !== summaryKey(summary)) {
        this.pushedSummaries.set(hosted.handle, summaryKey(summary))
        this.broadcast({ type: 'store', handle: hosted.handle, summary })
      }
      // Nobody to tell: skip building snapshots and health reports.
      if (this.clients.size === 0) continue
      const { handle, store } = hosted
      this.broadcast({ type: 'sla', handle, snapshot: store.slaSnapshot() })
      this.broadcast({ type: 'health', handle, health: store.health() })
      if (hosted.load) this.pushLoad(handle, hosted.load.status(), true)
    }
  }

  /** pushLoad pushes a load generator's status; `onlyChanged` skips one already pushed. */
  private pushLoad(handle: StoreHandle, status: LoadStatus, onlyChanged = false): void {
    const key = JSON.stringify(status)
    if (onlyChanged && this.pushedLoads.get(handle) === key) return
    this.pushedLoads.set(handle, key)
    this.broadcast({ type: 'load', handle, status })
  }

  private pushSegments(hosted: HostedStore): void {
    if (!hosted.isOpen) return
    segmentRows(hosted).then(
      (segments) => this.broadcast({ type: 'segments', handle: hosted.handle, segments }),
      (error: unknown) => this.log(`listing the segments of ${hosted.path} failed`, error),
    )
  }

  private recentStores(): Promise<RecentStores> {
    const { configDir } = this.browsingDirs()
    this.recent ??= RecentStores.load(configDir, this.log)
    return this.recent
  }

  private browsingDirs(): Browsing {
    if (!this.browsing)
      throw new StoreError(
        'not_available',
        'This host serves one store and does not browse others.',
      )
    return this.browsing
  }
}

function checkPath(path: string): void {
  if (typeof path !== 'string' || path.length === 0 || path.length > 4096) {
    throw new ValidationError('path', 'must be a directory path of 1 to 4096 characters')
  }
}

function sameAccess(hosted: HostedStore, access: StoreAccess): HostedStore {
  if (hosted.access !== access) {
    throw new ValidationError(
      'access',
      `is "${access}", but ${hosted.path} is already open in this host with access "${hosted.access}"; close it first`,
    )
  }
  return hosted
}

/** summaryKey is what makes a summary worth pushing again. */
function summaryKey(summary: StoreSummary): string {
  return JSON.stringify(summary)
}
