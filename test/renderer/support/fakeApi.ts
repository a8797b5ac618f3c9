/**
 * A fake StoreApi for renderer tests: every method answers from a small in-memory store
 * (one open store of `events`), any method can be replaced with `fake.answer`, and every
 * call is recorded. `fakeConnection` wraps it as a StoreConnection whose pushes and
 * connection state the test drives.
 */
import type { ErrorCode } from '../../../src/shared/errorCodes'
import type { StoredEvent } from '../../../src/shared/event'
import type { PushBatch } from '../../../src/shared/push'
import type {
  Result,
  StoreApi,
  StoreApiMethod,
  StoreApiMethods,
  StoreSummary,
} from '../../../src/shared/storeApi'
import type {
  BridgeKind,
  ConnectionListener,
  ConnectionState,
  PushListener,
  StoreConnection,
} from '../../../src/renderer/src/api/storeConnection'

export const HANDLE = 'store-1'

export function ok<T>(value: T): Result<T> {
  return { ok: true, value }
}

export function fail(code: ErrorCode, message = `failed: ${code}`): Result<never> {
  return { ok: false, error: { code, message } }
}

export function makeEvent(sequence: number, overrides: Partial<StoredEvent> = {}): StoredEvent {
  return {
    event_id: `1700000000000000000_${sequence}_node-1`,
    sequence,
    event_type: 'agent_heartbeat',
    aggregate_id: `agent-${sequence % 3}`,
    aggregate_type: 'agent',
    timestamp: new Date(Date.UTC(2026, 10, 27, 3, 0, 0, sequence)).toISOString(),
    correlation_id: null,
    causation_id: null,
    data: { n: sequence },
    metadata: {},
    source_agent: 'loadgen',
    source_component: 'unknown',
    schema_version: 1,
    ...overrides,
  }
}

export function makeSummary(overrides: Partial<StoreSummary> = {}): StoreSummary {
  return {
    handle: HANDLE,
    path: '/data/orders',
    name: 'orders',
    access: 'write',
    mode: 'writable',
    reason: null,
    sla_level: 'NORMAL',
    first_sequence: 1,
    last_sequence: 3,
    event_count: 3,
    bytes: 2048,
    segments: 1,
    append_rate: 12.4,
    is_demo: false,
    ...overrides,
  }
}

type Handler<M extends StoreApiMethod> = (
  args: StoreApiMethods[M]['args'],
) => Promise<Result<StoreApiMethods[M]['result']>>

type Handlers = { [M in StoreApiMethod]?: Handler<M> }

export interface FakeApi {
  api: StoreApi
  calls: { method: StoreApiMethod; args: unknown }[]
  answer<M extends StoreApiMethod>(method: M, handler: Handler<M>): void
  callsOf(method: StoreApiMethod): unknown[]
}

/** createFakeApi answers like a host with one open store holding `events`. */
export function createFakeApi(
  summary: StoreSummary = makeSummary(),
  events: StoredEvent[] = [1, 2, 3].map((sequence) => makeEvent(sequence)),
): FakeApi {
  const calls: FakeApi['calls'] = []
  let subscriptions = 0
  const defaults: Handlers = {
    listOpen: async () => ok([summary]),
    listRecent: async () => ok([]),
    summary: async () => ok(summary),
    openStore: async () => ok(summary),
    createStore: async () => ok(summary),
    openDemo: async () => ok({ ...summary, is_demo: true }),
    subscribe: async () => ok({ subscription_id: `sub-${++subscriptions}` }),
    unsubscribe: async () => ok(null),
    slaSnapshot: async () => fail('not_available'),
    getEvent: async ({ event_id, sequence }) => {
      const found = events.find((e) => e.event_id === event_id || e.sequence === sequence)
      return found === undefined ? fail('not_found', 'No such event.') : ok(found)
    },
    getRawRecord: async ({ sequence }) =>
      ok({
        segment: '000001.log',
        offset: 64 * sequence,
        hex: '0a0b0c',
        sha256: 'ab'.repeat(32),
        checksum_ok: true,
      }),
    listSegments: async () => ok([]),
    listRecoveryReports: async () => ok([]),
    serverStatus: async () =>
      ok({ running: false, url: null, login_url: null, token: null, read_only: false }),
  }
  const handlers: Handlers = { ...defaults }
  const api = new Proxy({} as StoreApi, {
    get: (_target, method: StoreApiMethod) => async (args: unknown) => {
      calls.push({ method, args })
      const handler = handlers[method] as ((args: unknown) => Promise<Result<unknown>>) | undefined
      return handler === undefined ? fail('not_available', `${method} is not faked`) : handler(args)
    },
  })
  return {
    api,
    calls,
    answer: (method, handler) => {
      ;(handlers as Record<string, unknown>)[method] = handler
    },
    callsOf: (method) => calls.filter((call) => call.method === method).map((call) => call.args),
  }
}

export interface FakeConnection extends StoreConnection {
  push(batch: PushBatch): void
  setState(state: ConnectionState): void
  /** Makes `file` one that lives at `path` on disk, as a dropped file does (Electron only). */
  placeOnDisk(file: File, path: string): void
}

export function fakeConnection(
  api: StoreApi,
  kind: BridgeKind = 'electron',
  initial: ConnectionState = 'open',
): FakeConnection {
  const pushListeners = new Set<PushListener>()
  const stateListeners = new Set<ConnectionListener>()
  // Like webUtils.getPathForFile: a File made by the page itself is on no disk.
  const onDisk = new WeakMap<File, string>()
  let state = initial
  return {
    kind,
    api,
    onPush: (listener) => {
      pushListeners.add(listener)
      return () => pushListeners.delete(listener)
    },
    onState: (listener) => {
      stateListeners.add(listener)
      return () => stateListeners.delete(listener)
    },
    state: () => state,
    push: (batch) => pushListeners.forEach((listener) => listener(batch)),
    setState: (next) => {
      state = next
      stateListeners.forEach((listener) => listener(next))
    },
    pathForFile: kind === 'electron' ? (file) => onDisk.get(file) ?? '' : null,
    placeOnDisk: (file, path) => onDisk.set(file, path),
  }
}
