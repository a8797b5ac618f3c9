/**
 * inspectorBrowser drives Debian's Chromium with playwright-core (never `playwright
 * install`). A machine without /usr/bin/chromium fails these tests with what to install,
 * rather than skipping them: CI installs Chromium (.ci/run), so a skip there would hide
 * the only end-to-end check of the served UI.
 */
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'
import type { ServedStore } from './servedStore'

export const CHROMIUM_PATH = '/usr/bin/chromium'

/** Flags that let Chromium run headless in a container without GPU, sandbox or network. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** Screenshots land here, one per test, named after it. */
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../../test-results/e2e', import.meta.url))

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `${CHROMIUM_PATH} is missing: the browser tests need Debian's Chromium (apt-get install -y chromium).`,
    )
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true })
}

/**
 * openInspector logs in the way a person does, with the login URL serve printed, and
 * waits for the inspector to show the served store. The page gets a fresh context, so
 * its session cookie is its own.
 */
export async function openInspector(browser: Browser, served: ServedStore): Promise<Page> {
  const context = await browser.newContext({
    acceptDownloads: true,
    viewport: { width: 1280, height: 800 },
  })
  const page = await context.newPage()
  await page.goto(served.loginUrl)
  await page.waitForURL(`${served.url}/`)
  await page.locator('header.store-header h1').waitFor()
  return page
}

/** saveScreenshot keeps what the page shows as test-results/e2e/<name>.png. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true })
  const path = join(SCREENSHOT_DIR, `${name}.png`)
  await page.screenshot({ path })
  return path
}

/** showView opens one of the inspector's views from its navigation. */
export async function showView(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name }).click()
}
