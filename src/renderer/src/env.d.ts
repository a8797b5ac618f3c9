/** The preload's bridge (src/preload/index.ts); absent when the UI is served to a browser. */
interface Window {
  readonly lighthouse?: { readonly version: string }
}
