import type { Percentile, ThresholdMark } from './slaMarks'

/**
 * Threshold lines closer than this share of the y-axis would print their labels on top
 * of each other (about 17 px on a 200 px chart); the lower one then goes unlabelled. The
 * caption still names every threshold.
 */
export const THRESHOLD_LABEL_GAP_RATIO = 0.12

/**
 * labelledThresholds picks which threshold lines get a label: the highest always, then each
 * lower one far enough below the last labelled one. The y-axis reaches at least the highest
 * of the data and the thresholds (the lines extend the domain), which sets the spacing.
 */
export function labelledThresholds(
  thresholds: readonly ThresholdMark[],
  dataMaxMs: number,
): Set<Percentile> {
  const axisMaxMs = Math.max(dataMaxMs, ...thresholds.map((mark) => mark.thresholdMs))
  const labelled = new Set<Percentile>()
  let lastLabelledMs = Infinity
  for (const mark of [...thresholds].sort((a, b) => b.thresholdMs - a.thresholdMs)) {
    if (lastLabelledMs - mark.thresholdMs >= THRESHOLD_LABEL_GAP_RATIO * axisMaxMs) {
      labelled.add(mark.percentile)
      lastLabelledMs = mark.thresholdMs
    }
  }
  return labelled
}
