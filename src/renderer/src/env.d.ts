/** The preload's bridge (src/preload/index.ts); absent when the UI is served to a browser. */
interface Window {
  readonly lighthouse?: import('../../shared/bridge').LighthouseBridge
}

/** Stylesheets are imported for their side effect; Vite bundles them into the page's CSS. */
declare module '*.css'
