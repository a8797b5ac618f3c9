/**
 * containsSubset is the `data_contains` / `metadata_contains` match: objects by subset
 * (every key of the filter is present and matches), arrays by "each element of the
 * filter array matches some element of the value's array", scalars by equality.
 */
export function containsSubset(value: unknown, filter: unknown): boolean {
  if (filter === null || typeof filter !== 'object') return value === filter
  if (Array.isArray(filter)) {
    if (!Array.isArray(value)) return false
    return filter.every((wanted) => value.some((item) => containsSubset(item, wanted)))
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false
  const object = value as Record<string, unknown>
  for (const key of Object.keys(filter)) {
    if (!Object.hasOwn(object, key)) return false
    if (!containsSubset(object[key], (filter as Record<string, unknown>)[key])) return false
  }
  return true
}
