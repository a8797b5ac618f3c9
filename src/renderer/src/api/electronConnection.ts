import type { LighthouseBridge } from '../../../shared/bridge'
import type { StoreConnection } from './storeConnection'

/**
 * electronConnection adapts the preload's bridge. IPC to our own main process cannot drop,
 * so the connection is open for the life of the page.
 */
export function electronConnection(bridge: LighthouseBridge): StoreConnection {
  return {
    kind: 'electron',
    api: bridge.api,
    onPush: (listener) => bridge.onPush(listener),
    onState: () => () => {},
    state: () => 'open',
    pathForFile: (file) => bridge.pathForFile(file),
  }
}
