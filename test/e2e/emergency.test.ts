// A store driven into EMERGENCY by a disk-usage threshold below the real usage: the served
// inspector shows the banner and the HTTP API refuses appends with a retryable 503.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SLA_FILE_NAME } from '../../src/main/engine/sla/slaConfig'
import { tempDir } from '../support/tempDir'
import { appendOverHttp } from './support/appendOverHttp'
import { saveScreenshot } from './support/inspectorBrowser'
import { heartbeats, seedStore } from './support/seedStore'
import { useInspectorBrowser } from './support/useInspectorBrowser'

const TEST_MS_MAX = 60_000
const inspector = useInspectorBrowser()

/** Any disk in use is over these; hold_ms 0 makes the level rise at the next evaluation. */
const TINY_DISK_THRESHOLDS = {
  triggers: { disk_usage: { warning: 0.000_001, emergency: 0.000_002 } },
  hold_ms: 0,
}

describe('emergency mode in the served inspector', () => {
  it(
    'shows the emergency banner and refuses appends',
    async () => {
      const dir = join(tempDir(), 'store')
      await seedStore(dir, heartbeats(3))
      writeFileSync(join(dir, SLA_FILE_NAME), JSON.stringify(TINY_DISK_THRESHOLDS))
      const { served, page } = await inspector.openServed(dir)

      const banner = page.getByRole('alert').filter({ hasText: 'Emergency mode' })
      await banner.waitFor({ timeout: 30_000 })
      expect(await banner.innerText()).toContain('appends are refused')
      const refused = await appendOverHttp(served, heartbeats(1, 4))
      expect(refused.status).toBe(503)
      await saveScreenshot(page, 'emergency')
    },
    TEST_MS_MAX,
  )
})
