/**
 * Segment file names: fixed-width numbers so that name order is sequence order. A number
 * is never reused, not even for a segment that recovery moved to quarantine.
 */
const NUMBER_WIDTH = 10
const NAME = /^segment-(\d{10})\.(log|log\.gz|manifest\.json)$/

export type SegmentFileKind = 'log' | 'sealed' | 'manifest'

export function segmentLogName(segmentNumber: number): string {
  return `segment-${String(segmentNumber).padStart(NUMBER_WIDTH, '0')}.log`
}

export function sealedName(segmentNumber: number): string {
  return `${segmentLogName(segmentNumber)}.gz`
}

export function manifestName(segmentNumber: number): string {
  return `segment-${String(segmentNumber).padStart(NUMBER_WIDTH, '0')}.manifest.json`
}

/** parseSegmentFileName recognizes the store's own segment files, and nothing else. */
export function parseSegmentFileName(
  name: string,
): { segmentNumber: number; kind: SegmentFileKind } | null {
  const match = NAME.exec(name)
  if (!match) return null
  const kind = match[2] === 'log' ? 'log' : match[2] === 'log.gz' ? 'sealed' : 'manifest'
  return { segmentNumber: Number(match[1]), kind }
}
