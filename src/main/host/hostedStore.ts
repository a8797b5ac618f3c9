import { basename } from 'node:path'
import type { StoreAccess, StoreHandle, StoreSummary } from '../../shared/storeApi'
import type { VerificationStatus } from '../../shared/verification'
import type { Problem } from '../../shared/report'
import type { SlaTransition } from '../../shared/sla'
import { EventStore } from '../engine/eventStore'
import type { StoreMonitorOptions } from '../engine/eventStore'
import { StoreError } from '../engine/errors'
import type { Follower } from '../engine/follow'
import { follow } from '../engine/follow'
import { AppendRate } from './appendRate'
import type { HostLog } from './hostResult'
import { FOLLOW_POLL_MS } from './hostLimits'
import type { LoadGenerator } from './loadGenerator'

/** What this host learned about one segment file from a verification it ran. */
export interface FileCheck {
  status: VerificationStatus
  problems: Problem[]
  verified_at: string | null
}

export interface StoreOpening {
  path: string
  access: StoreAccess
  isDemo: boolean
  /** Create the store when the directory is missing or empty (writers only). */
  create?: boolean
  nodeId?: string
  segmentBytesMax?: number
  /** The SLA monitor's probes and interval (HostOptions.storeMonitor; tests inject them). */
  monitor?: StoreMonitorOptions
}

/** HostedStoreWatch is told of changes the store makes by itself, for the host's pushes. */
export interface HostedStoreWatch {
  transition(hosted: HostedStore, transition: SlaTransition): void
  modeChanged(hosted: HostedStore): void
}

/**
 * HostedStore is one store open in the host, under its opaque handle. The handle outlives
 * the EventStore under it: recovery closes the store, repairs it and opens it again, and
 * the client keeps the same handle throughout. While the store is closed for that, calls
 * that need it answer `store_closed` with a sentence saying why.
 */
export class HostedStore {
  readonly name: string
  readonly appendRate = new AppendRate()
  /** Statuses from the verifications this host ran, by file name (see segmentRows.ts). */
  readonly checks = new Map<string, FileCheck>()
  /** Ids of the recovery reports this host's recovery jobs wrote (see recoveryReports.ts). */
  readonly manualReportIds = new Set<string>()
  load: LoadGenerator | null = null
  private current: EventStore | null = null
  private follower: Follower | null = null
  private stopWatching: (() => void)[] = []
  private closedWhy = 'The store is closed.'

  private constructor(
    readonly handle: StoreHandle,
    private readonly opening: StoreOpening,
    private readonly log: HostLog,
    private readonly watch: HostedStoreWatch,
  ) {
    this.name = basename(opening.path)
  }

  static async open(
    handle: StoreHandle,
    opening: StoreOpening,
    log: HostLog,
    watch: HostedStoreWatch,
  ): Promise<HostedStore> {
    const hosted = new HostedStore(handle, opening, log, watch)
    await hosted.start()
    return hosted
  }

  get path(): string {
    return this.opening.path
  }

  get access(): StoreAccess {
    return this.opening.access
  }

  get isDemo(): boolean {
    return this.opening.isDemo
  }

  /** store is the open EventStore, or `store_closed` while recovery has it closed. */
  get store(): EventStore {
    if (!this.current) throw new StoreError('store_closed', this.closedWhy)
    return this.current
  }

  get isOpen(): boolean {
    return this.current !== null
  }

  summary(): StoreSummary {
    const report = this.store.inspect()
    return {
      handle: this.handle,
      path: this.path,
      name: this.name,
      access: this.access,
      mode: report.mode,
      reason: report.reason ?? null,
      sla_level: report.sla_level,
      first_sequence: report.first_sequence,
      last_sequence: report.last_sequence,
      event_count: report.event_count,
      bytes: report.bytes,
      segments: report.segments.length,
      append_rate: this.appendRate.perSecond(),
      is_demo: this.isDemo,
    }
  }

  /**
   * suspend closes the EventStore (its subscriptions end with `store_closed`) so another
   * opener, such as recovery, can take the writer lock; `resume` opens it again.
   */
  async suspend(why: string): Promise<void> {
    this.closedWhy = why
    await this.shut()
  }

  async resume(): Promise<void> {
    await this.start()
  }

  async close(): Promise<void> {
    this.closedWhy = 'The store was closed.'
    await this.shut()
  }

  private async start(): Promise<void> {
    const { path, access, create, nodeId, segmentBytesMax, monitor } = this.opening
    const store = await EventStore.open(path, {
      access: access === 'write' ? 'write' : 'read',
      create: create === true && access === 'write',
      ...(nodeId !== undefined ? { nodeId } : {}),
      ...(segmentBytesMax !== undefined ? { segmentBytesMax } : {}),
      ...(monitor !== undefined ? { monitor } : {}),
    })
    // A store opened read-only and damaged cannot be followed; it is still browsable.
    if (access === 'follow' && store.mode === 'read_only') {
      this.follower = follow(store, {
        pollMs: FOLLOW_POLL_MS,
        onError: (error) => this.log(`following ${path} stopped`, error),
      })
    }
    this.stopWatching = [
      store.onAppendCount((count) => this.appendRate.add(count)),
      store.onSlaTransition((transition) => this.watch.transition(this, transition)),
      store.onModeChange(() => this.watch.modeChanged(this)),
    ]
    this.current = store
  }

  private async shut(): Promise<void> {
    const store = this.current
    if (!store) return
    this.current = null
    this.load?.stop()
    for (const stop of this.stopWatching) stop()
    this.stopWatching = []
    await this.follower?.close()
    this.follower = null
    await store.close()
  }
}
