import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, onTestFinished } from 'vitest'
import { launchChromium, openInspector } from './inspectorBrowser'
import { assertBuilt, serveStore, type ServedStore } from './servedStore'

export interface ServedInspector {
  served: ServedStore
  page: Page
}

/**
 * useInspectorBrowser starts one Chromium for a test file (closed after it) and returns
 * `openServed`, which serves a store directory, logs a fresh page in, and stops both when
 * the current test finishes.
 */
export function useInspectorBrowser(): {
  openServed(dir: string, args?: string[]): Promise<ServedInspector>
} {
  let browser: Browser | null = null
  beforeAll(async () => {
    assertBuilt()
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
  })
  return {
    openServed: async (dir, args) => {
      const served = await serveStore(dir, args)
      let page: Page | null = null
      onTestFinished(async () => {
        await page?.context().close()
        await served.stop()
      })
      page = await openInspector(browser!, served)
      return { served, page }
    },
  }
}
