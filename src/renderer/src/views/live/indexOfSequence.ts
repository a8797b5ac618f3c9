/** indexOfSequence finds a sequence in rows sorted by sequence (binary search), or -1. */
export function indexOfSequence(rows: readonly { sequence: number }[], sequence: number): number {
  let low = 0
  let high = rows.length - 1
  while (low <= high) {
    const middle = (low + high) >>> 1
    const found = rows[middle]?.sequence ?? 0
    if (found === sequence) return middle
    if (found < sequence) low = middle + 1
    else high = middle - 1
  }
  return -1
}
