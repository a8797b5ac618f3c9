import type { StoreApiMethods } from '../../shared/storeApi'
import { StoreError } from '../engine/errors'
import type { HostedStore } from './hostedStore'

/**
 * StoreSla is where the host's five SLA calls go: the SLA monitor plugs in here, and only
 * here. Until it does, `slaUnavailable` answers each call with `not_available`.
 * StoreSummary.sla_level does not come through here: it is the engine's inspect() level.
 */
type SlaMethod = 'slaSnapshot' | 'slaHistory' | 'setSlaThresholds' | 'approveRecovery' | 'health'

export type StoreSla = {
  [M in SlaMethod]: (
    hosted: HostedStore,
    args: StoreApiMethods[M]['args'],
  ) => Promise<StoreApiMethods[M]['result']>
}

const unavailable = (): Promise<never> =>
  Promise.reject(
    new StoreError(
      'not_available',
      'SLA monitoring is not available in this version of the host yet.',
    ),
  )

export const slaUnavailable: StoreSla = {
  slaSnapshot: unavailable,
  slaHistory: unavailable,
  setSlaThresholds: unavailable,
  approveRecovery: unavailable,
  health: unavailable,
}
