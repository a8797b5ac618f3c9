import { homedir } from 'node:os'
import { isAbsolute, join } from 'node:path'
import { parseArgs } from 'node:util'
import { ensureDemoStore } from '../host/demoStore'
import { UsageError, type CliIo } from './cliIo'
import { serveCommand } from './serveCommand'

/** The folder under the user's data directory that holds the demo store. */
export const USER_DATA_FOLDER = 'lighthouse-store'

/**
 * demo [--data-dir D] [--port N]: the browser mode on the demo store. It builds the demo
 * store once (the host's generator: a few thousand varied events, sealed and active
 * segments) in the user data directory, then serves it on 127.0.0.1 like `serve`,
 * printing the login URL. `npm start` falls back to this when Electron cannot run.
 */
export async function demoCommand(args: string[], io: CliIo, stop?: AbortSignal): Promise<number> {
  let values
  try {
    ;({ values } = parseArgs({
      args,
      options: { 'data-dir': { type: 'string' }, port: { type: 'string' } },
      strict: true,
    }))
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  const dataDir = values['data-dir'] ?? userDataDir(process.env)
  io.stdout.write(`Opening the demo store in ${dataDir} (built on first use)...\n`)
  const dir = await ensureDemoStore(dataDir)
  const port = values.port === undefined ? [] : ['--port', values.port]
  return serveCommand([dir, '--host', '127.0.0.1', ...port], io, stop)
}

/**
 * userDataDir is where the demo store lives: $XDG_DATA_HOME/lighthouse-store when that is
 * an absolute path (the XDG rule), else ~/.local/share/lighthouse-store.
 */
export function userDataDir(env: NodeJS.ProcessEnv): string {
  const xdg = env['XDG_DATA_HOME']
  const base = xdg !== undefined && isAbsolute(xdg) ? xdg : join(homedir(), '.local', 'share')
  return join(base, USER_DATA_FOLDER)
}
