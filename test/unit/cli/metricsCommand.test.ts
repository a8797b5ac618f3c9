import { spawnSync } from 'node:child_process'
import { readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { EventStore } from '../../../src/main/engine/eventStore'
import { BUILT_CLI, useBuiltCli } from '../../support/builtCli'
import { runCli } from '../../support/runCli'
import { tempDir } from '../../support/tempDir'
import {
  promtoolCheck,
  promtoolMissing,
  sampleValue,
  seriesOf,
} from '../engine/telemetry/exposition'

/** `metrics DIR`: the Prometheus exposition of a store, printed once by a reader. */

async function storeWith(events: number): Promise<string> {
  const dir = `${tempDir()}/store`
  const store = await EventStore.open(dir, { create: true })
  for (let i = 0; i < events; i++) await store.append({ event_type: 'a', aggregate_id: `x${i}` })
  await store.close()
  return dir
}

/** snapshot lists every file with its size and modification time, to prove nothing changed. */
function snapshot(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .sort()
    .map((name) => {
      const stats = statSync(join(dir, name))
      return `${name} ${stats.size} ${stats.mtimeMs}`
    })
}

describe('lighthouse-store metrics', () => {
  it('prints what a reader knows of the store, and leaves the store untouched', async () => {
    const dir = await storeWith(3)
    const before = snapshot(dir)
    const run = await runCli(['metrics', dir])
    expect(run.code).toBe(0)
    expect(run.stderr).toBe('')
    const store = await EventStore.open(dir, { access: 'read' })
    const report = store.inspect()
    await store.close()
    const text = run.stdout
    expect(sampleValue(text, 'lighthouse_current_sequence')).toBe(3)
    expect(sampleValue(text, 'lighthouse_store_bytes')).toBe(report.bytes)
    expect(sampleValue(text, 'lighthouse_segments')).toBe(report.segments.length)
    expect(sampleValue(text, 'lighthouse_store_mode{mode="read_only"}')).toBe(1)
    expect(sampleValue(text, 'lighthouse_disk_usage_bytes')).toBeGreaterThan(0)
    expect(sampleValue(text, 'lighthouse_disk_usage_ratio')).toBeLessThanOrEqual(1)
    // Counts by type and the writer's own measurements are not a reader's to print.
    expect(seriesOf(text, 'lighthouse_events_appended_total')).toEqual([])
    expect(seriesOf(text, 'lighthouse_append_duration_seconds_count')).toEqual([])
    expect(seriesOf(text, 'lighthouse_sla_level')).toEqual([])
    expect(snapshot(dir)).toEqual(before)
  })

  it('reads a store while its writer holds it', async () => {
    const dir = await storeWith(2)
    const writer = await EventStore.open(dir)
    await writer.append({ event_type: 'b', aggregate_id: 'y' })
    const run = await runCli(['metrics', dir])
    await writer.close()
    expect(run.code).toBe(0)
    expect(sampleValue(run.stdout, 'lighthouse_current_sequence')).toBe(3)
  })

  it('exits 1 like inspect when the reader finds damage, still printing the mode it saw', async () => {
    const dir = await storeWith(1)
    writeFileSync(`${dir}/segment-0000000001.log`, 'LHEV', { flag: 'a' })
    const before = snapshot(dir)
    const inspect = await runCli(['inspect', dir, '--json'])
    expect(inspect.lines[0]).toMatchObject({ mode: 'needs_recovery' })
    const run = await runCli(['metrics', dir])
    expect(run.code).toBe(inspect.code)
    expect(run.code).toBe(1)
    expect(sampleValue(run.stdout, 'lighthouse_store_mode{mode="needs_recovery"}')).toBe(1)
    expect(snapshot(dir)).toEqual(before)
  })

  it('an empty store reports sequence 0', async () => {
    const run = await runCli(['metrics', await storeWith(0)])
    expect(run.code).toBe(0)
    expect(sampleValue(run.stdout, 'lighthouse_current_sequence')).toBe(0)
  })

  it('refuses a directory that is not a store with exit 4, as JSON with --json', async () => {
    const dir = tempDir()
    writeFileSync(`${dir}/notes.txt`, 'hello')
    const run = await runCli(['metrics', dir, '--json'])
    expect(run.code).toBe(4)
    expect(run.stdout).toBe('')
    expect(run.stderr).toMatch(/is not a Lighthouse store/)
    expect(JSON.parse(run.stderr.trim().split('\n').at(-1)!)).toMatchObject({ code: 'not_a_store' })
  })

  it('exits 2 without a directory', async () => {
    const run = await runCli(['metrics'])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('Expected one store directory')
  })
})

describe('lighthouse-store metrics, the built command', () => {
  useBuiltCli()
  if (promtoolMissing !== null) console.log(`skipping the promtool check: ${promtoolMissing}`)

  it.skipIf(promtoolMissing !== null)('its output passes `promtool check metrics`', async () => {
    const dir = await storeWith(2)
    const run = spawnSync(process.execPath, [BUILT_CLI, 'metrics', dir], { encoding: 'utf8' })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    expect(sampleValue(run.stdout, 'lighthouse_current_sequence')).toBe(2)
    expect(promtoolCheck(run.stdout)).toEqual({ status: 0, output: '' })
  })
})
