// The Performance view of the served inspector draws measured append latency against the
// SLA threshold, from appends another program made over HTTP.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../support/tempDir'
import { appendOk } from './support/appendOverHttp'
import { saveScreenshot, showView } from './support/inspectorBrowser'
import { heartbeats, seedStore } from './support/seedStore'
import { useInspectorBrowser } from './support/useInspectorBrowser'

const TEST_MS_MAX = 60_000
const inspector = useInspectorBrowser()

describe('the served Performance view', () => {
  it(
    'draws append latency with its SLA threshold line',
    async () => {
      const dir = join(tempDir(), 'store')
      await seedStore(dir, heartbeats(1))
      const { served, page } = await inspector.openServed(dir)
      // One at a time: the append chart measures single appends, batches have their own.
      for (const event of heartbeats(50)) await appendOk(served, [event])
      await showView(page, 'Performance')

      const chart = page.getByRole('figure', { name: 'Append latency', exact: true })
      const caption = chart.locator('figcaption')
      await expect
        .poll(() => caption.innerText(), { timeout: 20_000 })
        .toMatch(/Latest: p50 [\d.]+ .?s/)
      // A horizontal line has no height, so Playwright never calls it visible: check its span.
      const threshold = chart.locator('.recharts-reference-line line').first()
      await threshold.waitFor({ state: 'attached' })
      const [x1, x2] = await Promise.all(['x1', 'x2'].map((name) => threshold.getAttribute(name)))
      expect(Number(x2) - Number(x1)).toBeGreaterThan(100)
      expect(await caption.innerText()).toMatch(/SLA: .*p99 ≤ 10 ms/)
      await saveScreenshot(page, 'performance')
    },
    TEST_MS_MAX,
  )
})
