/**
 * appendBounded adds rows at the end and keeps only the newest `max`, so the Live view's
 * memory stays flat however long a stream runs. It says how many older rows went.
 */
export function appendBounded<T>(
  rows: readonly T[],
  incoming: readonly T[],
  max: number,
): { rows: T[]; dropped: number } {
  if (incoming.length === 0) return { rows: rows as T[], dropped: 0 }
  const total = rows.length + incoming.length
  const dropped = Math.max(0, total - max)
  if (dropped >= rows.length) {
    return { rows: incoming.slice(dropped - rows.length), dropped }
  }
  return { rows: rows.slice(dropped).concat(incoming), dropped }
}
