import type { StoreApiMethods } from '../../shared/storeApi'
import type { HostedStore } from './hostedStore'

/**
 * StoreSla is where the host's five SLA calls go, and the only place they go: each is
 * answered by the store's own SLA monitor (EventStore.slaSnapshot and the rest).
 * StoreSummary.sla_level does not come through here: it is the engine's inspect() level.
 */
type SlaMethod = 'slaSnapshot' | 'slaHistory' | 'setSlaThresholds' | 'approveRecovery' | 'health'

export type StoreSla = {
  [M in SlaMethod]: (
    hosted: HostedStore,
    args: StoreApiMethods[M]['args'],
  ) => Promise<StoreApiMethods[M]['result']>
}

/** storeSla answers from the hosted store's monitor (the host's default). */
export const storeSla: StoreSla = {
  slaSnapshot: async (hosted) => hosted.store.slaSnapshot(),
  slaHistory: async (hosted) => hosted.store.slaHistory(),
  setSlaThresholds: (hosted, args) => hosted.store.setSlaThresholds(args.patch),
  approveRecovery: async (hosted) => {
    const store = hosted.store
    await store.approveRecovery()
    return store.slaSnapshot()
  },
  health: async (hosted) => hosted.store.health(),
}
