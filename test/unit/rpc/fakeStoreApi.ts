// A StoreApi that records its calls: the transports are tested against the contract, not
// against the host. Every method answers `{ ok: true, value: <method name> }`.
import { vi } from 'vitest'
import type { Mock } from 'vitest'
import type { PushSink, StoreClient } from '../../../src/main/rpc/storeClient'
import type { StoreApiMethod, StoreApiMethods } from '../../../src/shared/storeApi'
import { STORE_API_METHODS } from '../../../src/shared/storeApi'

type MethodMock = Mock<(args?: unknown) => Promise<unknown>>

export type FakeClient = StoreClient & { [M in StoreApiMethod]: MethodMock } & { close: Mock }

/** fakeStoreApi returns a client whose every method resolves to ok with its own name. */
export function fakeStoreApi(): FakeClient {
  const methods = Object.fromEntries(
    STORE_API_METHODS.map((method) => [
      method,
      vi.fn((_args?: unknown) => Promise.resolve({ ok: true, value: method })),
    ]),
  )
  return { ...methods, close: vi.fn() } as unknown as FakeClient
}

/** fakeHost connects fake clients and keeps each client's sink, so tests can push. */
export function fakeHost() {
  const clients: { client: FakeClient; sink: PushSink }[] = []
  return {
    clients,
    connect: (sink: PushSink): FakeClient => {
      const client = fakeStoreApi()
      clients.push({ client, sink })
      return client
    },
  }
}

const handle = 'h-1'

/** VALID_ARGS holds well-formed arguments for every method of the contract. */
export const VALID_ARGS: { [M in StoreApiMethod]: StoreApiMethods[M]['args'] } = {
  listRecent: undefined,
  openStore: { path: '/data/store', access: 'write' },
  createStore: { path: '/data/new' },
  openDemo: undefined,
  closeStore: { handle },
  listOpen: undefined,
  summary: { handle },
  query: { handle, query: { event_types: ['agent_registered'], limit: 10 } },
  getEvent: { handle, sequence: 7 },
  getRawRecord: { handle, sequence: 7 },
  subscribe: { handle, filter: {}, from_sequence: 1 },
  unsubscribe: { subscription_id: 's-1' },
  listSegments: { handle },
  startVerification: { handle, file: '00000001.seg' },
  cancelJob: { job_id: 'j-1' },
  getJob: { job_id: 'j-1' },
  runRecovery: { handle },
  rebuildIndexes: { handle },
  listRecoveryReports: { handle },
  getRecoveryReport: { handle, id: 'r-1' },
  slaSnapshot: { handle },
  slaHistory: { handle },
  setSlaThresholds: {
    handle,
    patch: {
      targets: { append_p99: 10 },
      triggers: { disk_usage: { warning: 0.8 } },
      memory_limit_bytes: null,
    },
  },
  approveRecovery: { handle },
  health: { handle },
  append: { handle, events: [{ event_type: 'agent_registered', aggregate_id: 'agent-1' }] },
  startLoad: { handle, settings: { rate: 100, shape: 'demo' } },
  stopLoad: { handle },
  startServer: { handle, port: 0 },
  stopServer: { handle },
  serverStatus: { handle },
}
