/**
 * bannersOf decides the messages above the view: a lost connection, the last failed
 * action, a store that cannot be written, and an SLA level above normal. Pure, so every
 * case is a table row in a test; BannerArea only draws them.
 */
import type { SlaSnapshot } from '../../../shared/sla'
import type { StoreSummary } from '../../../shared/storeApi'
import type { BridgeKind, ConnectionState } from '../api/storeConnection'
import type { UiError } from '../state/sessionSlice'

export type BannerAction = 'dismiss' | 'files' | 'recovery'

export interface Banner {
  id: string
  tone: 'bad' | 'warn' | 'info'
  message: string
  actions: BannerAction[]
}

export interface BannerInput {
  bridge: BridgeKind
  connection: ConnectionState
  lastError: UiError | null
  store: StoreSummary | null
  sla: SlaSnapshot | null
}

export function bannersOf(input: BannerInput): Banner[] {
  const banners: Banner[] = []
  if (input.connection === 'reconnecting') {
    banners.push({
      id: 'connection',
      tone: 'bad',
      message: 'Lost the connection to the store host. Reconnecting…',
      actions: [],
    })
  } else if (input.connection === 'connecting' && input.bridge === 'browser') {
    banners.push({
      id: 'connection',
      tone: 'info',
      message: 'Connecting to the store host…',
      actions: [],
    })
  }
  if (input.lastError !== null) {
    const { action, message } = input.lastError
    banners.push({
      id: 'error',
      tone: 'bad',
      message: `${action} failed: ${message}`,
      actions: ['dismiss'],
    })
  }
  const store = input.store
  if (store?.mode === 'needs_recovery') {
    banners.push({
      id: 'mode',
      tone: 'bad',
      message:
        `${store.name} is damaged and read-only until it is recovered. ${store.reason ?? ''}`.trim(),
      actions: ['files', 'recovery'],
    })
  } else if (store?.mode === 'failed') {
    banners.push({
      id: 'mode',
      tone: 'bad',
      message: `An I/O error made ${store.name} read-only. ${store.reason ?? ''}`.trim(),
      actions: [],
    })
  }
  const slaBanner = store === null ? null : slaBannerOf(store, input.sla)
  if (slaBanner !== null) banners.push(slaBanner)
  return banners
}

function slaBannerOf(store: StoreSummary, sla: SlaSnapshot | null): Banner | null {
  const level = sla?.level ?? store.sla_level
  if (level === 'NORMAL') return null
  const reason = sla?.reason ?? ''
  const block = sla?.write_block?.message ?? ''
  const lead = {
    WARNING: 'SLA warning: a trigger is over its warning threshold.',
    EMERGENCY: 'Emergency mode: reads continue, appends are refused.',
    RECOVERING: 'Recovering: appends stay restricted until a verification passes and you approve.',
  }[level]
  return {
    id: 'sla',
    tone: level === 'WARNING' ? 'warn' : 'bad',
    message: [lead, reason, block]
      .filter((part) => part !== '')
      .map(asSentence)
      .join(' '),
    actions: level === 'RECOVERING' ? ['recovery'] : [],
  }
}

/** The host's reasons are clauses without a full stop; joined, they must still read as sentences. */
function asSentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`
}
