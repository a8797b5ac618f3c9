import { promises as fsPromises } from 'node:fs'
import { totalmem } from 'node:os'
import type { Resources } from '../../../shared/sla'
import { diskUsage, type DiskSpace } from './diskSpace'
import type { MemoryUse } from './slaMonitor'

/**
 * ResourceMonitor samples what the machine gives the store: disk space of the store's
 * filesystem, process memory and open file descriptors. These are facts about the machine,
 * not store data, so it reads them through ResourceProbes (node:fs, node:os, /proc) rather
 * than the engine's FileSystem; tests inject every probe.
 *
 * A probe the platform cannot answer (no /proc outside Linux, statfs refused) makes its
 * figure unknown: null in the sample, 0 in the shared Resources shape (whose disk fields
 * are not nullable), and named with its reason in `unknown`, never silently dropped.
 */

/** StatFsReading is the part of fs.statfs the monitor needs: block size and block counts. */
export interface StatFsReading {
  bsize: number
  blocks: number
  bfree: number
  bavail: number
}

export interface ResourceProbes {
  statfs(path: string): Promise<StatFsReading>
  memoryUsage(): { rss: number; heapUsed: number; heapTotal: number }
  totalMemory(): number
  /** Descriptors open in this process, or null where the platform cannot tell. */
  openFds(): Promise<number | null>
  /** The soft limit on open descriptors, or null when there is none or it cannot be told. */
  fdLimit(): Promise<number | null>
}

/** nodeResourceProbes reads the real process and machine. */
export const nodeResourceProbes: ResourceProbes = {
  statfs: (path) => fsPromises.statfs(path),
  memoryUsage: () => process.memoryUsage(),
  totalMemory: () => totalmem(),
  async openFds() {
    const names = await readdirOrNull('/proc/self/fd')
    // Reading the directory holds one descriptor of its own, which is listed too.
    return names === null ? null : Math.max(0, names.length - 1)
  },
  async fdLimit() {
    const text = await readFileOrNull('/proc/self/limits')
    return text === null ? null : parseFdLimit(text)
  },
}

/** parseFdLimit reads the soft "Max open files" limit from /proc/self/limits text. */
export function parseFdLimit(limitsText: string): number | null {
  const match = /^Max open files\s+(\S+)/m.exec(limitsText)
  if (!match || match[1] === 'unlimited') return null
  const limit = Number(match[1])
  return Number.isSafeInteger(limit) && limit > 0 ? limit : null
}

export interface ResourceSample {
  resources: Resources
  /** null when the store's filesystem could not be read. */
  disk: DiskSpace | null
  memory: MemoryUse
  /** Each figure that could not be told, and why. */
  unknown: { figure: 'disk' | 'open_fds' | 'fd_limit'; reason: string }[]
  sampled_at_ms: number
}

export interface ResourceMonitorOptions {
  probes?: Partial<ResourceProbes>
  /** The configured memory limit (SlaThresholds.memory_limit_bytes), read at each sample. */
  memoryLimitBytes?: () => number | null
  nowMs?: () => number
}

export class ResourceMonitor {
  private readonly probes: ResourceProbes
  private readonly memoryLimitBytes: () => number | null
  private readonly nowMs: () => number
  private last: ResourceSample | null = null

  /** `dir` is the store directory; disk figures are for the filesystem that holds it. */
  constructor(
    private readonly dir: string,
    options: ResourceMonitorOptions = {},
  ) {
    this.probes = { ...nodeResourceProbes, ...options.probes }
    this.memoryLimitBytes = options.memoryLimitBytes ?? (() => null)
    this.nowMs = options.nowMs ?? Date.now
  }

  /** sample reads every probe now; `storeBytes` is the store's own size on disk. */
  async sample(storeBytes: number): Promise<ResourceSample> {
    const figures = await Promise.all([
      probeFigure('disk', () => this.readDisk()),
      probeFigure('open_fds', () => this.probes.openFds()),
      probeFigure('fd_limit', () => this.probes.fdLimit()),
    ])
    const [disk, openFds, fdLimit] = [figures[0].value, figures[1].value, figures[2].value]
    const unknown = figures.flatMap((figure) => figure.unknown)
    const usage = this.probes.memoryUsage()
    const memory: MemoryUse = { rss_bytes: usage.rss, total_bytes: this.probes.totalMemory() }
    const memoryTotal = this.memoryLimitBytes() ?? memory.total_bytes
    const sample: ResourceSample = {
      resources: {
        disk_total_bytes: disk?.total_bytes ?? 0,
        disk_free_bytes: disk?.available_bytes ?? 0,
        disk_usage: disk === null ? 0 : diskUsage(disk),
        store_bytes: storeBytes,
        rss_bytes: usage.rss,
        heap_used_bytes: usage.heapUsed,
        heap_total_bytes: usage.heapTotal,
        memory_total_bytes: memoryTotal,
        memory_usage: memoryTotal > 0 ? usage.rss / memoryTotal : 0,
        open_fds: openFds,
        fd_limit: fdLimit,
      },
      disk,
      memory,
      unknown,
      sampled_at_ms: this.nowMs(),
    }
    this.last = sample
    return sample
  }

  /** latest is the last sample taken, or null before the first. */
  latest(): ResourceSample | null {
    return this.last
  }

  private async readDisk(): Promise<DiskSpace> {
    const stats = await this.probes.statfs(this.dir)
    return {
      total_bytes: stats.blocks * stats.bsize,
      free_bytes: stats.bfree * stats.bsize,
      available_bytes: stats.bavail * stats.bsize,
    }
  }
}

type Unknown = ResourceSample['unknown'][number]

/** probeFigure runs a probe; a null or a failure makes the figure unknown, with the reason. */
async function probeFigure<T>(
  figure: Unknown['figure'],
  probe: () => Promise<T | null>,
): Promise<{ value: T | null; unknown: Unknown[] }> {
  try {
    const value = await probe()
    const reason = 'the platform does not report it'
    return { value, unknown: value === null ? [{ figure, reason }] : [] }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    return { value: null, unknown: [{ figure, reason }] }
  }
}

async function readdirOrNull(path: string): Promise<string[] | null> {
  try {
    return await fsPromises.readdir(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
}

async function readFileOrNull(path: string): Promise<string | null> {
  try {
    return await fsPromises.readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
}
