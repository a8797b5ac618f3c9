import { statfs } from 'node:fs/promises'
import type { DiskSpace } from './metricsSource'

/**
 * readDiskSpace measures the filesystem that holds `dir` the way `df` does: used is every
 * block not free, available is what an unprivileged process may still write (blocks
 * reserved for root are in neither), so used / (used + available) is df's Use%.
 */
export async function readDiskSpace(dir: string): Promise<DiskSpace> {
  const stats = await statfs(dir)
  return {
    usedBytes: (stats.blocks - stats.bfree) * stats.bsize,
    availableBytes: stats.bavail * stats.bsize,
  }
}
