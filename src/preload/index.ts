// The preload is the renderer's only door to the main process. It exposes named values and
// methods, never ipcRenderer itself, so the page cannot send arbitrary IPC messages.
// Built as one CommonJS file: a sandboxed preload cannot require other modules.
import { contextBridge } from 'electron'

/** lighthouseBridge is what the page sees as `window.lighthouse`. */
const lighthouseBridge = Object.freeze({
  version: __LIGHTHOUSE_VERSION__,
})

contextBridge.exposeInMainWorld('lighthouse', lighthouseBridge)
