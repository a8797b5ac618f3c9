import { spawnSync } from 'node:child_process'
import type { LatencyHistogram } from '../../../../src/main/engine/metrics/latencyHistogram'
import type { MetricsSource } from '../../../../src/main/engine/telemetry/metricsSource'

/** sampleValue reads one series (`name` or `name{labels}` as printed) from an exposition. */
export function sampleValue(exposition: string, series: string): number | undefined {
  const line = exposition.split('\n').find((l) => l.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

/** seriesOf lists the printed series (name and labels) of one metric name. */
export function seriesOf(exposition: string, name: string): string[] {
  return exposition
    .split('\n')
    .filter((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`))
    .map((l) => l.slice(0, l.lastIndexOf(' ')))
}

/** promtoolMissing is why promtool cannot run here, or null when it can. */
export const promtoolMissing: string | null =
  spawnSync('promtool', ['--version']).error === undefined
    ? null
    : 'promtool is not installed (Debian package `prometheus`; .ci/run installs it)'

/** promtoolCheck runs `promtool check metrics` on an exposition and returns what it said. */
export function promtoolCheck(exposition: string): { status: number | null; output: string } {
  const run = spawnSync('promtool', ['check', 'metrics'], { input: exposition, encoding: 'utf8' })
  return { status: run.status, output: `${run.stdout}${run.stderr}`.trim() }
}

/** fullSource implements every part of MetricsSource with fixed figures. */
export function fullSource(append: LatencyHistogram, fsync: LatencyHistogram): MetricsSource {
  return {
    currentSequence: () => 42,
    mode: () => 'writable',
    storeSize: () => ({ bytes: 123_456, segments: 3 }),
    diskSpace: () => ({ usedBytes: 800, availableBytes: 200 }),
    slaLevel: () => 'WARNING',
    eventsAppended: () => ({
      byType: new Map([
        ['command_received', 30],
        ['agent_heartbeat', 12],
      ]),
      otherTypes: 0,
    }),
    appendDuration: () => append,
    fsyncDuration: () => fsync,
    slaViolations: () => ({ append_p99: 2, disk_usage: 1 }),
    appendQueue: () => ({ events: 7, bytes: 7000 }),
    verification: () => ({
      running: true,
      bytesDone: 10,
      bytesTotal: 40,
      filesDone: 1,
      filesTotal: 4,
    }),
    activeConnections: () => 5,
    errors: () => ({ append: 1, query: 2 }),
  }
}
