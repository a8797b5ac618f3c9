// `npm start` where the Electron binary is missing and cannot be fetched: one plain
// sentence, then the browser mode on the demo store, with the login URL printed. The
// download is given 1 ms (so it fails here, fast, with or without a network) and the build
// already in out/ is used.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { useBuiltCli } from '../support/builtCli'
import { tempDir } from '../support/tempDir'

const START_SCRIPT = fileURLToPath(new URL('../../scripts/start.mjs', import.meta.url))

describe('npm start without an Electron binary', () => {
  const children = useBuiltCli()

  it('says so in one sentence and serves the demo store in the browser mode instead', async () => {
    const dataHome = tempDir()
    const child = spawn(process.execPath, [START_SCRIPT], {
      env: {
        ...process.env,
        LIGHTHOUSE_START_NO_BUILD: '1',
        LIGHTHOUSE_ELECTRON_DOWNLOAD_TIMEOUT_MS: '1',
        LIGHTHOUSE_SERVE_PORT: '0',
        ELECTRON_OVERRIDE_DIST_PATH: tempDir(),
        XDG_DATA_HOME: dataHome,
      },
    })
    children.add(child)
    let stdout = ''
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const loginUrl = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString()
        const match = /Open the inspector once with: (http:\/\/\S+)\n/.exec(stdout)
        if (match) resolve(match[1]!)
      })
      child.once('exit', (code) => reject(new Error(`start exited ${code}: ${stdout}${stderr}`)))
    })

    const [sentence, ...rest] = stderr.split('\n').filter((line) => line !== '')
    expect(rest).toEqual([])
    expect(sentence).toMatch(
      /^Lighthouse Store could not start the desktop app: the Electron binary is not installed and could not be downloaded \(.+\), so it starts the browser mode on the demo store instead .+\.$/,
    )
    expect(stdout).toContain(join(dataHome, 'lighthouse-store', 'demo-store'))
    const url = new URL(loginUrl)
    expect(url.hostname).toBe('127.0.0.1')
    const health = await fetch(new URL('/health', url))
    expect(await health.json()).toEqual({ status: 'healthy' })
    const login = await fetch(loginUrl, { redirect: 'manual' })
    expect(login.status).toBe(303)

    const exited = once(child, 'exit')
    child.kill('SIGTERM')
    const [code] = (await exited) as [number | null]
    expect(code).toBe(0)
    children.delete(child)
  })
})
