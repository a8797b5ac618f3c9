/**
 * servedStore runs the real `lighthouse-store serve DIR --port 0` as a child process and
 * reads what it prints: the URL, the admin token (printed once, when serve creates the
 * token file) and the single-use login URL. Nothing is stubbed: the browser talks to the
 * host exactly as a person's browser would.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { BUILT_CLI } from '../../support/builtCli'

/** How long serve may take to print its login URL on a busy two-core machine. */
const SERVE_START_MS_MAX = 20_000
/** How long serve may take to finish requests and close the store after SIGTERM. */
const SERVE_STOP_MS_MAX = 10_000

export interface ServedStore {
  /** e.g. http://127.0.0.1:40123 */
  url: string
  loginUrl: string
  /** The admin token, for the HTTP API as another program would use it. */
  token: string
  /** Everything serve printed on stderr so far, for failure messages. */
  stderr(): string
  /** Stops serve with SIGTERM (SIGKILL if it hangs) and waits for it to exit. */
  stop(): Promise<void>
}

/** assertBuilt fails with what to do when `npm run build` has not produced the CLI. */
export function assertBuilt(): void {
  if (!existsSync(BUILT_CLI)) {
    throw new Error(
      `${BUILT_CLI} is missing: run \`npm run build\` first (\`npm test\` builds it).`,
    )
  }
}

export async function serveStore(dir: string, args: string[] = []): Promise<ServedStore> {
  assertBuilt()
  const child = spawn(process.execPath, [BUILT_CLI, 'serve', dir, '--port', '0', ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const exited = once(child, 'exit')
  try {
    const printed = await readStartup(child, exited)
    return { ...printed, stderr: () => stderr, stop: () => stopServe(child, exited) }
  } catch (error) {
    child.kill('SIGKILL')
    throw new Error(`serve did not start: ${(error as Error).message}\nstderr: ${stderr}`, {
      cause: error,
    })
  }
}

type StartupLines = Pick<ServedStore, 'url' | 'loginUrl' | 'token'>

/** readStartup reads serve's stdout until the login URL, the last line it prints at start. */
async function readStartup(
  child: ChildProcessWithoutNullStreams,
  exited: Promise<unknown[]>,
): Promise<StartupLines> {
  const lines = createInterface({ input: child.stdout })
  const found: Partial<StartupLines> = {}
  let tokenFollows = false
  const read = (async () => {
    for await (const line of lines) {
      if (tokenFollows) found.token = line.trim()
      tokenFollows = /keep it safe:$/.test(line)
      const serving = /^Serving .* at (http\S+)$/.exec(line)
      if (serving !== null) found.url = serving[1]
      const login = /^Open the inspector once with: (\S+)$/.exec(line)
      if (login !== null) {
        found.loginUrl = login[1]
        break
      }
    }
    const { url, loginUrl, token } = found
    if (url === undefined || loginUrl === undefined || token === undefined) {
      throw new Error(`serve printed no URL, login URL or admin token: ${JSON.stringify(found)}`)
    }
    return { url, loginUrl, token }
  })()
  const failed = exited.then(([code]) => {
    throw new Error(`serve exited with ${String(code)} before printing its login URL`)
  })
  // Only a failure during startup matters here; a later exit is stop()'s business.
  failed.catch(() => undefined)
  const late = new Promise<never>((_, reject) =>
    setTimeout(
      () => reject(new Error(`no login URL within ${SERVE_START_MS_MAX} ms`)),
      SERVE_START_MS_MAX,
    ).unref(),
  )
  const printed = await Promise.race([read, failed, late])
  // Later output is not read, so it must not fill the pipe and stall serve.
  child.stdout.resume()
  return printed
}

async function stopServe(
  child: ChildProcessWithoutNullStreams,
  exited: Promise<unknown[]>,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  child.kill('SIGTERM')
  const hung = setTimeout(() => child.kill('SIGKILL'), SERVE_STOP_MS_MAX)
  await exited
  clearTimeout(hung)
}
