// The served inspector in Chromium against the real `serve`: live events appended by
// another program, an event's correlation chain, and a query exported to NDJSON.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { EventInput } from '../../src/shared/event'
import { tempDir } from '../support/tempDir'
import { appendOk } from './support/appendOverHttp'
import { saveScreenshot, showView } from './support/inspectorBrowser'
import { heartbeats, seedStore } from './support/seedStore'
import { useInspectorBrowser } from './support/useInspectorBrowser'

const TEST_MS_MAX = 60_000
const inspector = useInspectorBrowser()

/** An order's story: three events sharing one correlation id, each caused by the last. */
function orderChain(correlation: string): EventInput[] {
  return ['command_received', 'command_validated', 'command_executed'].map((event_type) => ({
    event_type,
    aggregate_id: 'robot-7',
    aggregate_type: 'robot',
    correlation_id: correlation,
    source_agent: 'planner',
    data: { command: 'move', to: [3, 4] },
  }))
}

describe('the served inspector', () => {
  it(
    'shows events appended over HTTP by another program in the Live view',
    async () => {
      const dir = join(tempDir(), 'store')
      await seedStore(dir, heartbeats(3))
      const { served, page } = await inspector.openServed(dir)
      const table = page.getByRole('table', { name: 'Live events' })
      await table.getByRole('row').filter({ hasText: 'agent_heartbeat' }).first().waitFor()

      await appendOk(served, orderChain('order-1'))
      await table.getByRole('row').filter({ hasText: 'command_executed' }).waitFor()
      await expect
        .poll(() => page.locator('.live-view__status').innerText())
        .toBe('6 events received')
      await saveScreenshot(page, 'live')
    },
    TEST_MS_MAX,
  )

  it(
    'opens an event and follows its correlation chain into Query',
    async () => {
      const dir = join(tempDir(), 'store')
      await seedStore(dir, [...heartbeats(4), ...orderChain('order-42'), ...heartbeats(4, 5)])
      const { page } = await inspector.openServed(dir)
      const table = page.getByRole('table', { name: 'Live events' })
      await table.getByRole('row').filter({ hasText: 'command_validated' }).click()
      const detail = page.getByRole('complementary', { name: /^Event 6/ })
      await detail.waitFor()

      await detail.getByRole('button', { name: 'order-42', exact: true }).click()
      await page.getByRole('heading', { name: 'Query' }).waitFor()
      expect(await page.getByLabel('Correlation id', { exact: true }).inputValue()).toBe('order-42')
      const results = page.getByRole('table', { name: 'Matching events' })
      await results.getByRole('button', { name: 'Open event 7' }).waitFor()
      const rows = results.locator('tbody tr')
      expect(await rows.allInnerTexts()).toHaveLength(3)
      expect((await rows.allInnerTexts()).join('\n')).not.toContain('agent_heartbeat')
      await saveScreenshot(page, 'correlation-chain')
    },
    TEST_MS_MAX,
  )

  it(
    'runs a query and exports its page as NDJSON',
    async () => {
      const dir = join(tempDir(), 'store')
      await seedStore(dir, [...heartbeats(20), ...orderChain('order-1'), ...orderChain('order-2')])
      const { page } = await inspector.openServed(dir)
      await showView(page, 'Query')
      const types = page.getByLabel('Event types')
      await types.fill('command_executed')
      await types.press('Enter')
      await page.getByRole('button', { name: 'Run', exact: true }).click()
      await page.getByText('Page 1: events 1–2 of 2').waitFor()

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Export NDJSON' }).click(),
      ])
      expect(download.suggestedFilename()).toBe('lighthouse-query-page-1.ndjson')
      const text = await readFile(await download.path(), 'utf8')
      const exported = text
        .trim()
        .split('\n')
        .map(
          (line) =>
            JSON.parse(line) as { sequence: number; event_type: string; correlation_id: string },
        )
      expect(
        exported.map(({ sequence, event_type, correlation_id }) => ({
          sequence,
          event_type,
          correlation_id,
        })),
      ).toEqual([
        { sequence: 23, event_type: 'command_executed', correlation_id: 'order-1' },
        { sequence: 26, event_type: 'command_executed', correlation_id: 'order-2' },
      ])
      await saveScreenshot(page, 'query-export')
    },
    TEST_MS_MAX,
  )
})
