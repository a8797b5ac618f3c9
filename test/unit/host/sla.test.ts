import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { ResourceProbes } from '../../../src/main/engine/sla/resourceMonitor'
import { tempDir } from '../../support/tempDir'
import { connect, errorCode, makeHost, until, value } from './hostHarness'

/**
 * The host's five SLA calls go to the store's own monitor, and its transitions reach every
 * client as `degradation` pushes. The memory use and the disk are the test's (injected
 * probes); the store evaluates on its own timer, every EVALUATE_MS of real time.
 */
const EVALUATE_MS = 20
const MEMORY_TOTAL_BYTES = 1_000_000

function probes(memory: { usage: number }): Partial<ResourceProbes> {
  return {
    statfs: async () => ({ bsize: 1, blocks: 1000, bfree: 500, bavail: 500 }),
    memoryUsage: () => ({ rss: memory.usage * MEMORY_TOTAL_BYTES, heapUsed: 1, heapTotal: 2 }),
    totalMemory: () => MEMORY_TOTAL_BYTES,
  }
}

describe('SLA calls through the host', () => {
  it('answer from the store, push each transition, and approve after a verification of every file', async () => {
    const memory = { usage: 0.1 }
    const { host } = makeHost({
      storeMonitor: { probes: probes(memory), evaluateIntervalMs: EVALUATE_MS },
    })
    const { client, recorder } = connect(host)
    const { handle } = value(await client.createStore({ path: join(tempDir(), 's') }))
    value(await client.append({ handle, events: [{ event_type: 'a', aggregate_id: 'x' }] }))

    const thresholds = value(
      await client.setSlaThresholds({ handle, patch: { hold_ms: 0, clear_ms: 0 } }),
    )
    expect(thresholds).toMatchObject({ hold_ms: 0, clear_ms: 0 })
    expect(errorCode(await client.setSlaThresholds({ handle, patch: { hold_ms: -1 } }))).toBe(
      'validation',
    )
    expect(value(await client.slaSnapshot({ handle })).level).toBe('NORMAL')
    expect(value(await client.health({ handle }))).toMatchObject({
      status: 'healthy',
      current_sequence: 1,
      mode: 'writable',
      resources: { disk_usage: 0.5 },
    })
    expect(value(await client.slaHistory({ handle })).transitions).toEqual([])
    expect(errorCode(await client.health({ handle: 'nope' }))).toBe('not_found')

    memory.usage = 0.99
    await until('a degradation push', () =>
      recorder.of('degradation').some((push) => push.transition.to === 'EMERGENCY'),
    )
    expect(recorder.of('degradation')[0]).toMatchObject({ handle })
    await until('the summary to show EMERGENCY', () =>
      recorder.of('store').some((push) => push.summary?.sla_level === 'EMERGENCY'),
    )
    expect(
      errorCode(await client.append({ handle, events: [{ event_type: 'a', aggregate_id: 'x' }] })),
    ).toBe('emergency_mode')

    memory.usage = 0.1
    await until(
      'RECOVERING',
      async () => value(await client.slaSnapshot({ handle })).level === 'RECOVERING',
    )
    expect(errorCode(await client.approveRecovery({ handle }))).toBe('validation')
    const job = value(await client.startVerification({ handle }))
    await until(
      'the verification',
      async () => value(await client.getJob({ job_id: job.job_id })).state === 'done',
    )
    const approved = value(await client.approveRecovery({ handle }))
    expect(approved.level).toBe('NORMAL')
    expect(value(await client.slaHistory({ handle })).transitions.map((t) => t.to)).toEqual([
      'EMERGENCY',
      'RECOVERING',
      'NORMAL',
    ])
    await until('the pushes of every transition', () => recorder.of('degradation').length === 3)
    await until(
      'sla and health pushes',
      () => recorder.of('sla').length > 0 && recorder.of('health').length > 0,
    )
  })

  it('pushes the load generator status when it starts and stops', async () => {
    const { host } = makeHost({ storeMonitor: { probes: probes({ usage: 0.1 }) } })
    const { client, recorder } = connect(host)
    const { handle } = value(await client.createStore({ path: join(tempDir(), 's') }))
    value(await client.startLoad({ handle, settings: { rate: 10, shape: 'small' } }))
    value(await client.stopLoad({ handle }))
    await until('both load pushes', () => recorder.of('load').some((push) => !push.status.running))
    expect(recorder.of('load').at(-1)).toMatchObject({
      handle,
      status: { running: false, rate: 10 },
    })
  })
})
