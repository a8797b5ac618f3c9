import { bridgeUrl } from './bridgeUrl'
import { electronConnection } from './electronConnection'
import type { StoreConnection } from './storeConnection'
import { createWsClient } from './wsClient'

/**
 * connect picks the transport: the preload's bridge inside Electron, otherwise the
 * WebSocket bridge of the `serve` host that delivered this page.
 */
export function connect(page: Window): StoreConnection {
  const bridge = page.lighthouse
  if (bridge !== undefined) return electronConnection(bridge)
  return createWsClient({ url: bridgeUrl(page.location) })
}
