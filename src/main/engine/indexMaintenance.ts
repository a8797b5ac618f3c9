import type { StoreAnalysis } from './analyzeStore'
import type { SegmentManifest } from './manifest'
import type { SegmentIndexes } from './indexCache'

/**
 * checkIndexes loads the index of every intact sealed segment of an analysis and returns
 * the manifests of those whose index is missing, stale or damaged: a writer rebuilds them,
 * a reader scans those segments instead. Index files of segments that are not sealed (an
 * interrupted seal, a quarantined segment) are left alone and never believed: nothing is
 * ever deleted, and a seal writes its index again.
 */
export async function checkIndexes(
  indexes: SegmentIndexes,
  analysis: StoreAnalysis,
): Promise<SegmentManifest[]> {
  const unusable: SegmentManifest[] = []
  for (const segment of analysis.segments) {
    const manifest = segment.manifest
    if (!segment.sealed || !manifest || segment.damage || segment.manifestProblem) continue
    if (manifest.records === 0) continue
    if ((await indexes.load(segment.segmentNumber, manifest)) !== null) unusable.push(manifest)
  }
  return unusable
}
