// `npm start`: build the app, then run it in Electron.
//
// The electron package (42 and later) fetches its binary on first launch, and its own
// `require('electron')` runs that download synchronously with no time limit and ends in a
// stack trace. So this script checks for the binary itself and runs the installer as a
// child with a deadline. When that fails it says so in one sentence and starts the browser
// mode instead: `lighthouse-store demo` (the demo store, served on 127.0.0.1), which prints
// the login URL to open.
//
// Environment: LIGHTHOUSE_ELECTRON_DOWNLOAD_TIMEOUT_MS (default 300000) bounds the download;
// LIGHTHOUSE_SERVE_PORT (default 8765, 0 for any free port) is the browser mode's port;
// LIGHTHOUSE_START_NO_BUILD=1 uses the build already in out/ (tests, or right after a build).
import { spawn, spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { installedElectronPath } from './electronBinary.mjs'

const projectRoot = join(import.meta.dirname, '..')
const require = createRequire(import.meta.url)
const downloadTimeoutMsDefault = 300_000
const servePortDefault = '8765'
const builtCli = join(projectRoot, 'out', 'main', 'cli.js')
const reasonCharsMax = 200

/** fail prints one plain sentence on stderr and exits non-zero. */
function fail(sentence) {
  process.stderr.write(`${sentence}\n`)
  process.exit(1)
}

function build() {
  const electronViteDir = dirname(require.resolve('electron-vite/package.json'))
  const result = spawnSync(
    process.execPath,
    [join(electronViteDir, 'bin', 'electron-vite.js'), 'build'],
    { cwd: projectRoot, stdio: 'inherit' },
  )
  if (result.status !== 0) {
    fail(
      'Lighthouse Store could not start the desktop app: the build failed (see the messages above).',
    )
  }
}

/** installerFailureReason turns the installer's stack trace into a short clause. */
function installerFailureReason(result, timeoutMs) {
  if (result.error?.code === 'ETIMEDOUT') {
    return `the download did not finish within ${Math.round(timeoutMs / 1000)} s`
  }
  if (result.error !== undefined) return result.error.message
  const firstLine = (result.stderr ?? '')
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line !== '')
  const reason = (firstLine ?? `the installer exited with status ${result.status}`)
    .replace(/^[A-Za-z]*Error:\s*/, '')
    .replace(/\.$/, '')
  return reason.length > reasonCharsMax ? `${reason.slice(0, reasonCharsMax)}…` : reason
}

/** downloadElectron runs the installer; it returns why it failed, or null once it worked. */
function downloadElectron(electronDir) {
  const timeoutMs = Number(
    process.env.LIGHTHOUSE_ELECTRON_DOWNLOAD_TIMEOUT_MS ?? downloadTimeoutMsDefault,
  )
  process.stdout.write('Lighthouse Store: downloading the Electron binary (first launch)...\n')
  const result = spawnSync(process.execPath, [join(electronDir, 'install.js')], {
    cwd: electronDir,
    encoding: 'utf8',
    stdio: ['ignore', 'inherit', 'pipe'],
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
  })
  if (result.status === 0 && result.error === undefined) return null
  return installerFailureReason(result, timeoutMs)
}

/** electronExecutable is the binary's path, or undefined after saying why there is none. */
function electronExecutable() {
  const electronDir = dirname(require.resolve('electron/package.json'))
  const installed = installedElectronPath(electronDir)
  if (installed !== undefined) return installed
  const failure = downloadElectron(electronDir)
  if (failure !== null) {
    process.stderr.write(
      'Lighthouse Store could not start the desktop app: the Electron binary is not installed ' +
        `and could not be downloaded (${failure}), so it starts the browser mode on the demo ` +
        'store instead (run `npx install-electron` on a machine with internet access for the app).\n',
    )
    return undefined
  }
  const downloaded = installedElectronPath(electronDir)
  if (downloaded !== undefined) return downloaded
  return fail(
    'Lighthouse Store could not start the desktop app: the Electron installer finished but ' +
      'left no binary behind. Delete node_modules/electron, run `npm install`, then try again.',
  )
}

/** run starts a child on this terminal, passes SIGINT and SIGTERM on, and exits as it does. */
function run(command, args, env, what) {
  const child = spawn(command, args, { stdio: 'inherit', env })
  child.on('error', (error) => {
    fail(`Lighthouse Store could not start ${what}: ${command} failed to run (${error.message}).`)
  })
  child.on('exit', (code, signal) => {
    process.exit(code ?? (signal === null ? 0 : 1))
  })
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => child.kill(signal))
  }
}

function launch(executable) {
  const env = { ...process.env }
  // Set by some tools; it would make Electron behave as plain Node and ignore the app.
  delete env.ELECTRON_RUN_AS_NODE
  run(executable, [projectRoot, ...process.argv.slice(2)], env, 'the desktop app')
}

/** browserMode serves the demo store; `demo` prints the URL and the login URL to open. */
function browserMode() {
  const port = process.env.LIGHTHOUSE_SERVE_PORT ?? servePortDefault
  run(process.execPath, [builtCli, 'demo', '--port', port], process.env, 'the browser mode')
}

if (process.env.LIGHTHOUSE_START_NO_BUILD !== '1') build()
const executable = electronExecutable()
if (executable === undefined) browserMode()
else launch(executable)
