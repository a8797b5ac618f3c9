// A damaged sealed segment in the served inspector: Verify all turns it red with the
// offset, and a confirmed recovery reports what it quarantined.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../support/tempDir'
import { damagedStore } from './support/damagedStore'
import { saveScreenshot, showView } from './support/inspectorBrowser'
import { useInspectorBrowser } from './support/useInspectorBrowser'

const TEST_MS_MAX = 60_000
const inspector = useInspectorBrowser()

describe('a damaged store in the served inspector', () => {
  it(
    'turns the damaged file corrupt, in red with icon and words, with the offset, after Verify all',
    async () => {
      const dir = join(tempDir(), 'store')
      const { file } = await damagedStore(dir)
      const { page } = await inspector.openServed(dir)
      await showView(page, 'Files')
      const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: file }) })
      await expect.poll(() => row.innerText()).toContain('Not verified')

      await page.getByRole('button', { name: 'Verify all' }).click()
      const badge = row.locator('.status-badge')
      await expect.poll(() => badge.innerText(), { timeout: 20_000 }).toBe('✕\nCorrupt')
      expect(await badge.getAttribute('class')).toContain('status-badge--bad')
      // Red: the badge's colour has far more red than green or blue.
      // Test code is typed without the DOM; the function runs in the page, which has it.
      const colour = await badge.evaluate(
        (element) =>
          (
            globalThis as unknown as { getComputedStyle(element: unknown): { color: string } }
          ).getComputedStyle(element).color,
      )
      const [red = 0, green = 0, blue = 0] = (colour.match(/\d+/g) ?? []).map(Number)
      expect(red - Math.max(green, blue)).toBeGreaterThan(80)
      const problems = page.getByRole('list', { name: `Problems in ${file}` })
      expect(await problems.innerText()).toMatch(/^At byte offset 0: gzip data is unreadable/)
      await saveScreenshot(page, 'files-corrupt')
    },
    TEST_MS_MAX,
  )

  it(
    'runs recovery after the confirmation and shows its report',
    async () => {
      const dir = join(tempDir(), 'store')
      const { file } = await damagedStore(dir)
      const { page } = await inspector.openServed(dir)
      await showView(page, 'Recovery')
      await page.getByRole('button', { name: 'Run recovery…' }).click()
      const dialog = page.getByRole('dialog', { name: 'Run recovery?' })
      await dialog.getByRole('button', { name: 'Run recovery', exact: true }).click()

      const result = page.getByRole('article', { name: 'Result of this recovery' })
      await result.waitFor({ timeout: 20_000 })
      const text = await result.innerText()
      expect(text).toContain('Recovered')
      expect(text).toMatch(new RegExp(`Quarantined\\s+${file.replace('.', '\\.')}`))
      // The new report is listed too, as a manual one.
      await page.getByRole('table').getByText('Manual').waitFor()
      await saveScreenshot(page, 'recovery-report')
    },
    TEST_MS_MAX,
  )
})
