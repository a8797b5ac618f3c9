// The desktop app itself, in Electron, driven by Playwright: the window opens on the demo
// store and shows its summary. It needs the Electron binary, which `npm start` downloads on
// a user's machine; where it is missing (CI here cannot download it) the test is skipped
// and says why. Everything it exercises is also tested without Electron (the host, the
// bridge with `electron` mocked, and the same UI in Chromium through `serve`).
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { _electron as electron } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { installedElectronPath } from '../../scripts/electronBinary.mjs'

const projectRoot = fileURLToPath(new URL('../..', import.meta.url))
const electronDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'))
const executable = installedElectronPath(electronDir)
const SKIP_REASON =
  'the Electron binary is not installed (node_modules/electron/dist); run `npx install-electron` where it can be downloaded'

if (executable === undefined) console.warn(`electronApp.test.ts skipped: ${SKIP_REASON}`)

describe('the desktop app in Electron', () => {
  it.skipIf(executable === undefined)(
    'opens on the demo store and shows its summary',
    async () => {
      const config = mkdtempSync(join(tmpdir(), 'lhs-electron-'))
      const app = await electron.launch({
        executablePath: executable!,
        args: [join(projectRoot, 'out/main/index.js')],
        // Electron keeps userData under XDG_CONFIG_HOME on Linux: a fresh one per run.
        env: { ...process.env, XDG_CONFIG_HOME: config, ELECTRON_RUN_AS_NODE: '' },
      })
      try {
        const window = await app.firstWindow()
        const name = window.getByRole('heading', { name: 'demo-store' })
        await name.waitFor({ timeout: 60_000 })
        const header = await window.locator('header.store-header').innerText()
        expect(header).toMatch(/Events\s+3,000/)
        await window.screenshot({ path: join(projectRoot, 'test-results/electron-demo.png') })
      } finally {
        await app.close()
        rmSync(config, { recursive: true, force: true })
      }
    },
    120_000,
  )
})
