import { describe, expect, it } from 'vitest'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { VerificationProgress } from '../../../src/shared/verification'
import { EventStore } from '../../../src/main/engine/eventStore'
import { flipByte } from '../../support/corrupt'
import { describeProgress, formatBytes, formatCount } from '../../../src/main/cli/verifyProgress'
import { builtVerifyWorker } from '../../support/builtWorker'
import { runCli } from '../../support/runCli'
import { tempDir } from '../../support/tempDir'

/** `verify` runs the verification job; `--progress` adds sentences on stderr, never on stdout. */

builtVerifyWorker()

async function buildStore(dir: string): Promise<void> {
  const store = await EventStore.open(dir, { create: true, segmentBytesMax: 4096 })
  for (let i = 0; i < 120; i++) {
    await store.append({
      event_type: 'agent_heartbeat',
      aggregate_id: `agent-${i % 3}`,
      data: { i },
    })
  }
  await store.idle()
  await store.close()
}

const snapshot = (overrides: Partial<VerificationProgress>): VerificationProgress => ({
  files_done: 3,
  files_total: 12,
  bytes_done: 210e6,
  bytes_total: 1.2e9,
  raw_bytes_done: 400e6,
  records: 1_234_567,
  elapsed_ms: 1500,
  bytes_per_second: 180e6,
  finished: false,
  files: [],
  ...overrides,
})

describe('verify --progress', () => {
  it('prints a sentence per update on stderr and only the contract JSON on stdout', async () => {
    const dir = join(tempDir(), 'store')
    await buildStore(dir)
    const before = readdirSync(dir).map((name) => [name, statSync(join(dir, name)).size])
    const run = await runCli(['verify', dir, '--json', '--progress'])
    expect(run.code).toBe(0)
    expect(run.stdout.trim().split('\n')).toHaveLength(1)
    expect(run.lines[0]).toEqual(await EventStore.verify(dir))
    const lines = run.stderr.trim().split('\n')
    expect(lines.length).toBeGreaterThanOrEqual(2)
    for (const line of lines) {
      expect(line).toMatch(
        /^verified \d+\/\d+ files, [\d.]+ [kMGT]?B of [\d.]+ [kMGT]?B, [\d.]+[kM]? events, [\d.]+ [kMGT]?B\/s/,
      )
    }
    expect(lines[0]).toMatch(/^verified 0\//)
    expect(lines.at(-1)).toMatch(/^verified (\d+)\/\1 files, .*, done in [\d.]+ s$/)
    expect(readdirSync(dir).map((name) => [name, statSync(join(dir, name)).size])).toEqual(before)
  })

  it('prints nothing on stderr without --progress, and exits 1 on damage', async () => {
    const dir = join(tempDir(), 'store')
    await buildStore(dir)
    const sealed = readdirSync(dir)
      .filter((name) => name.endsWith('.log.gz'))
      .sort()
    flipByte(join(dir, sealed[1]!), 100)
    const run = await runCli(['verify', dir, '--json'])
    expect(run.code).toBe(1)
    expect(run.stderr).toBe('')
    expect(run.lines[0]).toEqual(await EventStore.verify(dir))
  })

  it('describes progress the way a person reads it', () => {
    expect(describeProgress(snapshot({}))).toBe(
      'verified 3/12 files, 210 MB of 1.2 GB, 1.2M events, 180 MB/s',
    )
    expect(
      describeProgress(
        snapshot({ files_done: 12, bytes_done: 1.2e9, finished: true, elapsed_ms: 6543 }),
      ),
    ).toBe('verified 12/12 files, 1.2 GB of 1.2 GB, 1.2M events, 180 MB/s, done in 6.5 s')
    expect([0, 999, 1500, 12_345, 999_999, 3e9].map(formatBytes)).toEqual([
      '0 B',
      '999 B',
      '1.5 kB',
      '12.3 kB',
      '1.0 MB',
      '3.0 GB',
    ])
    expect([7, 950, 12_500, 250_000, 1_200_000].map(formatCount)).toEqual([
      '7',
      '950',
      '12.5k',
      '250k',
      '1.2M',
    ])
  })
})
