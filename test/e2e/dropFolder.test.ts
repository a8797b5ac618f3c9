// A folder dragged onto the served inspector in Chromium: the page shows a drop target that
// says why a browser cannot open it, never navigates to the dropped file, and says so again
// after the drop.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../support/tempDir'
import { saveScreenshot } from './support/inspectorBrowser'
import { heartbeats, seedStore } from './support/seedStore'
import { useInspectorBrowser } from './support/useInspectorBrowser'

const TEST_MS_MAX = 60_000
const inspector = useInspectorBrowser()

describe('dropping a folder on the served inspector', () => {
  it(
    'shows why a browser page cannot open it, before and after the drop',
    async () => {
      const dir = join(tempDir(), 'store')
      await seedStore(dir, heartbeats(3))
      const { served, page } = await inspector.openServed(dir)
      // What the browser hands a page for a dropped folder: a File without a path.
      const dataTransfer = await page.evaluateHandle(() => {
        // Runs in the page, which has DataTransfer; this file is typed without the DOM.
        const { DataTransfer } = globalThis as unknown as {
          DataTransfer: new () => { items: { add(file: File): void } }
        }
        const transfer = new DataTransfer()
        transfer.items.add(new File([], 'orders'))
        return transfer
      })
      await page.dispatchEvent('main', 'dragenter', { dataTransfer })
      await page.getByText('Dropped folders cannot be opened here').waitFor()
      await saveScreenshot(page, 'drop-folder-browser')

      await page.dispatchEvent('main', 'drop', { dataTransfer })
      await page.getByText(/^Opening the dropped orders failed: A browser does not tell/).waitFor()
      expect(await page.getByText('Dropped folders cannot be opened here').count()).toBe(0)
      expect(page.url()).toBe(`${served.url}/`)
    },
    TEST_MS_MAX,
  )
})
