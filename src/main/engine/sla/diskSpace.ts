/**
 * Disk space of the store's filesystem, and the two figures the SLA monitor derives from it.
 * Usage is computed as `df` does: used / (used + available), where used = total - free and
 * available excludes the blocks reserved for root. So usage reaches 100% when an ordinary
 * process can write no more, even though `free` may still be above zero.
 */
export interface DiskSpace {
  total_bytes: number
  /** Free blocks, including those reserved for root (statfs f_bfree). */
  free_bytes: number
  /** Free blocks an ordinary process may use (statfs f_bavail). */
  available_bytes: number
}

/** diskUsage is used / (used + available), 0..1; 0 for a filesystem that reports no blocks. */
export function diskUsage(space: DiskSpace): number {
  const used = space.total_bytes - space.free_bytes
  const usable = used + space.available_bytes
  return usable <= 0 ? 0 : used / usable
}

/**
 * bytesToFree is the fewest whole bytes to delete so that usage falls below `ratio`.
 * Freeing x bytes turns used into used - x and available into available + x, so their sum
 * stays S and usage becomes (used - x) / S; that is below ratio once x > used - ratio * S.
 */
export function bytesToFree(space: DiskSpace, ratio: number): number {
  const used = space.total_bytes - space.free_bytes
  const usable = used + space.available_bytes
  if (used < ratio * usable) return 0
  return Math.floor(used - ratio * usable) + 1
}
