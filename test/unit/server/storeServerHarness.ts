import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { onTestFinished } from 'vitest'
import { EventStore } from '../../../src/main/engine/eventStore'
import { StoreServer, type StoreServerOptions } from '../../../src/main/server/storeServer'
import { builtVerifyWorker } from '../../support/builtWorker'
import { tempDir } from '../../support/tempDir'
import { send } from './httpClient'
import { ENTRIES } from './testTokens'

/** The page of the stand-in UI build: tests tell it from the 401 page by this marker. */
export const APP_MARKER = '<div id="root"></div>'
export const HASHED_ASSET = 'index-AbCd1234.js'

export interface Served {
  server: StoreServer
  port: number
  dir: string
  /** What the server told the operator (stderr in `serve`). */
  reports: string[]
}

/**
 * serveStore runs a StoreServer on a store in a temp dir (made when not given), on an
 * ephemeral port, with one token per scope and a stand-in UI build; closed after the test.
 */
export async function serveStore(
  options: Partial<Omit<StoreServerOptions, 'report' | 'tokens'>> = {},
): Promise<Served> {
  const dir = options.dir ?? join(tempDir(), 'store')
  if (options.dir === undefined) await (await EventStore.open(dir, { create: true })).close()
  const reports: string[] = []
  const server = await StoreServer.start({
    readOnly: false,
    rendererDir: fakeRendererDir(),
    hostOptions: { verifyWorkerPath: builtVerifyWorker() },
    ...options,
    dir,
    tokens: () => Promise.resolve(ENTRIES),
    report: (line) => reports.push(line),
  })
  onTestFinished(() => server.close())
  return { server, port: server.api.port, dir, reports }
}

/** fakeRendererDir is a stand-in for out/renderer: the page and one hashed asset. */
export function fakeRendererDir(): string {
  const dir = join(tempDir('lhs-ui-'), 'renderer')
  mkdirSync(join(dir, 'assets'), { recursive: true })
  writeFileSync(join(dir, 'index.html'), `<!doctype html><html><body>${APP_MARKER}</body></html>`)
  writeFileSync(join(dir, 'assets', HASHED_ASSET), 'console.log("app")\n')
  return dir
}

/** login visits the login URL and returns the session cookie (name=value). */
export async function login(served: Served): Promise<string> {
  const answer = await send(served.port, { path: loginPath(served) })
  const cookie = String(answer.headers['set-cookie'] ?? '').split(';')[0]
  if (answer.status !== 303 || !cookie) throw new Error(`login answered ${answer.status}`)
  return cookie
}

export function loginPath(served: Served): string {
  const url = served.server.loginUrl
  if (url === null) throw new Error('the login URL was used already')
  return new URL(url).pathname + new URL(url).search
}
