/** percent writes a 0..1 ratio for a person, with one decimal: 0.955 -> "95.5%". */
export function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`
}
