import { describe, expect, it } from 'vitest'
import {
  ResourceMonitor,
  parseFdLimit,
  type ResourceProbes,
} from '../../../../src/main/engine/sla/resourceMonitor'

const MIB = 1024 * 1024

function probes(overrides: Partial<ResourceProbes> = {}): ResourceProbes {
  return {
    statfs: async () => ({ bsize: 4096, blocks: 1000, bfree: 100, bavail: 50 }),
    memoryUsage: () => ({ rss: 200 * MIB, heapUsed: 30 * MIB, heapTotal: 40 * MIB }),
    totalMemory: () => 1000 * MIB,
    openFds: async () => 42,
    fdLimit: async () => 1024,
    ...overrides,
  }
}

describe('ResourceMonitor', () => {
  it('reports the figures of its probes', async () => {
    const monitor = new ResourceMonitor('/store', { probes: probes(), nowMs: () => 5 })

    const sample = await monitor.sample(12_345)

    expect(sample.resources).toEqual({
      disk_total_bytes: 1000 * 4096,
      disk_free_bytes: 50 * 4096,
      disk_usage: 900 / 950,
      store_bytes: 12_345,
      rss_bytes: 200 * MIB,
      heap_used_bytes: 30 * MIB,
      heap_total_bytes: 40 * MIB,
      memory_total_bytes: 1000 * MIB,
      memory_usage: 0.2,
      open_fds: 42,
      fd_limit: 1024,
    })
    expect(sample.disk).toEqual({
      total_bytes: 1000 * 4096,
      free_bytes: 100 * 4096,
      available_bytes: 50 * 4096,
    })
    expect(sample.unknown).toEqual([])
    expect(sample.sampled_at_ms).toBe(5)
    expect(monitor.latest()).toBe(sample)
  })

  it('asks statfs about the store directory', async () => {
    const asked: string[] = []
    const monitor = new ResourceMonitor('/data/store', {
      probes: probes({
        statfs: async (path) => {
          asked.push(path)
          return { bsize: 1, blocks: 1, bfree: 1, bavail: 1 }
        },
      }),
    })

    await monitor.sample(0)

    expect(asked).toEqual(['/data/store'])
  })

  it('measures memory against the configured limit when there is one', async () => {
    let limit: number | null = 400 * MIB
    const monitor = new ResourceMonitor('/store', {
      probes: probes(),
      memoryLimitBytes: () => limit,
    })

    expect((await monitor.sample(0)).resources.memory_usage).toBe(0.5)
    limit = null
    expect((await monitor.sample(0)).resources.memory_usage).toBe(0.2)
  })

  it('makes what the platform cannot tell null, and says why', async () => {
    const monitor = new ResourceMonitor('/store', {
      probes: probes({
        statfs: async () => {
          throw new Error('ENOSYS: statfs not supported')
        },
        openFds: async () => null,
        fdLimit: async () => null,
      }),
    })

    const sample = await monitor.sample(0)

    expect(sample.disk).toBeNull()
    expect(sample.resources).toMatchObject({
      disk_total_bytes: 0,
      disk_usage: 0,
      open_fds: null,
      fd_limit: null,
    })
    expect(sample.unknown).toEqual([
      { figure: 'disk', reason: 'ENOSYS: statfs not supported' },
      { figure: 'open_fds', reason: 'the platform does not report it' },
      { figure: 'fd_limit', reason: 'the platform does not report it' },
    ])
  })

  it('reads the real process and machine', async () => {
    const sample = await new ResourceMonitor(process.cwd()).sample(0)
    const { resources } = sample

    expect(resources.disk_total_bytes).toBeGreaterThan(0)
    expect(resources.disk_usage).toBeGreaterThanOrEqual(0)
    expect(resources.disk_usage).toBeLessThanOrEqual(1)
    expect(resources.rss_bytes).toBeGreaterThan(0)
    expect(resources.heap_used_bytes).toBeGreaterThan(0)
    expect(resources.memory_total_bytes).toBeGreaterThan(0)
    if (process.platform === 'linux') {
      expect(resources.open_fds).toBeGreaterThan(0)
      expect(resources.fd_limit === null || resources.fd_limit > 0).toBe(true)
    }
  })
})

describe('parseFdLimit', () => {
  const limits = (soft: string) =>
    'Limit                     Soft Limit           Hard Limit           Units\n' +
    'Max cpu time              unlimited            unlimited            seconds\n' +
    `Max open files            ${soft}                 1048576              files\n`

  it.each([
    ['1024', 1024],
    ['unlimited', null],
    ['garbage', null],
  ])('reads a soft limit of %s as %s', (soft, expected) => {
    expect(parseFdLimit(limits(soft))).toBe(expected)
  })

  it('is null when the line is missing', () => {
    expect(parseFdLimit('Max cpu time unlimited unlimited seconds\n')).toBeNull()
  })
})
