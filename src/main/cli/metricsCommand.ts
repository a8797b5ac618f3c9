import { EventStore } from '../engine/eventStore'
import { readDiskSpace } from '../engine/telemetry/diskSpace'
import type { DiskSpace, MetricsSource } from '../engine/telemetry/metricsSource'
import { prometheusMetrics } from '../engine/telemetry/prometheusMetrics'
import type { InspectReport } from '../../shared/report'
import type { CliIo } from './cliIo'
import { EXIT, writeLine } from './cliIo'
import { parseCommand } from './args'

/**
 * metrics prints the store's Prometheus exposition once, as a reader sees the store; it
 * never modifies it and exits like `inspect` (1 when the store needs recovery).
 *
 * A reader knows only what is on disk: the sequence, the size, the segments, its own view of
 * the mode (read_only, or needs_recovery when it found damage) and the disk. Counts by event
 * type would mean reading every event, and latencies, queues, connections, errors and the
 * SLA level live in the writer's process, so those metrics are left out here (`serve`
 * exports them).
 */
export async function metricsCommand(args: string[], io: CliIo): Promise<number> {
  const { dir } = parseCommand(args, { json: { type: 'boolean' } })
  const store = await EventStore.open(dir, { access: 'read' })
  try {
    const report = store.inspect()
    const registry = prometheusMetrics(readerSource(report, await readDiskSpace(dir)))
    await writeLine(io.stdout, (await registry.metrics()).trimEnd())
    return report.mode === 'needs_recovery' ? EXIT.damage : EXIT.ok
  } finally {
    await store.close()
  }
}

function readerSource(report: InspectReport, disk: DiskSpace): MetricsSource {
  return {
    currentSequence: () => report.last_sequence ?? 0,
    mode: () => report.mode,
    storeSize: () => ({ bytes: report.bytes, segments: report.segments.length }),
    diskSpace: () => disk,
  }
}
