// Builds three targets into out/:
//   out/main/{index,cli,bench-*}.js       CommonJS for Node (package.json has no "type"),
//                                         runnable by Electron and by plain `node`
//   out/preload/index.js                  one CommonJS file, dependencies bundled in,
//                                         because a sandboxed preload cannot require modules
//   out/renderer/                         the React page
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'electron-vite'
import type { Plugin } from 'vite'

const root = import.meta.dirname

/** mainEntryFiles maps each out/main/<name>.js to its source; missing sources are skipped. */
const mainEntryFiles: Record<string, string> = {
  index: 'src/main/index.ts',
  cli: 'src/main/cli/index.ts',
  'bench-engine': 'bench/engine.ts',
  'bench-replay': 'bench/replay.ts',
  'bench-verify': 'bench/verify.ts',
  'bench-query': 'bench/query.ts',
  // The side-by-side harness (npm run bench); it loads its peers from bench/node_modules.
  'bench-harness': 'bench/harness/index.ts',
  // Worker threads load their code from a file, so the verification worker is an entry.
  'verify-worker': 'src/main/engine/verifyWorker.ts',
  // ... and so is the worker that inflates sealed members for a replay (payloadCutter.ts).
  'payload-worker': 'src/main/engine/payloadWorker.ts',
  // The host runs EventStore.recover on a worker thread (src/main/host/recoveryRun.ts).
  'recover-worker': 'src/main/host/recoverWorker.ts',
  // ... and rebuilds sealed segments' indexes on another (src/main/host/indexRebuildRun.ts).
  'index-worker': 'src/main/host/indexWorker.ts',
}

function existingEntries(entries: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(entries)
      .map(([name, file]) => [name, resolve(root, file)] as const)
      .filter(([, path]) => existsSync(path)),
  )
}

function packageVersion(): string {
  const manifest: unknown = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8'))
  if (typeof manifest === 'object' && manifest !== null && 'version' in manifest) {
    return String(manifest.version)
  }
  throw new Error('package.json has no "version" field.')
}

/**
 * devCspPlugin lets the dev server's inline React Refresh preamble run. The built page keeps
 * the strict policy from index.html (script-src 'self', no inline scripts).
 */
function devCspPlugin(): Plugin {
  return {
    name: 'lighthouse:dev-csp',
    apply: 'serve',
    transformIndexHtml: (html) =>
      html.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'"),
  }
}

export default defineConfig({
  main: {
    build: {
      // The CLI and bench entries run on plain Node 20 as well as inside Electron.
      target: 'node20.19',
      rolldownOptions: { input: existingEntries(mainEntryFiles) },
    },
  },
  preload: {
    define: { __LIGHTHOUSE_VERSION__: JSON.stringify(packageVersion()) },
    build: {
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(root, 'src/preload/index.ts') },
        output: { format: 'cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src/renderer'),
    plugins: [react(), devCspPlugin()],
    build: {
      rolldownOptions: { input: resolve(root, 'src/renderer/index.html') },
      // The page is what people wait for at start: ship it minified (main and preload stay
      // readable, their stack traces are what we read).
      minify: true,
    },
  },
})
