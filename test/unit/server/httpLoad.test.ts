import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { httpLoad, type HttpLoadResult } from '../../../bench/httpLoad'
import { EventStore } from '../../../src/main/engine/eventStore'
import { SLA_SOURCE_COMPONENT } from '../../../src/main/engine/sla/transitionEvent'
import { addToken, TOKEN_FILE_NAME } from '../../../src/main/server/tokenFile'
import type { StoredEvent } from '../../../src/shared/event'
import { BUILT_CLI, useBuiltCli } from '../../support/builtCli'
import { tempDir } from '../../support/tempDir'
import { serveStore } from './storeServerHarness'
import { TOKENS } from './testTokens'

/** Concurrent appenders, each on its own keep-alive connection. */
const CONNECTIONS = 64
/** Events sent in the bounded run of the suite. */
const EVENTS = 3000
/** Set to run the benchmark: that many events against a built `serve` process. */
const BENCH_EVENTS = Number(process.env['LIGHTHOUSE_HTTP_LOAD_EVENTS'] ?? 0)
/** Events per request in the benchmark's batch run (LIGHTHOUSE_HTTP_LOAD_BATCH, default 100). */
const BENCH_BATCH = Number(process.env['LIGHTHOUSE_HTTP_LOAD_BATCH'] ?? 100)
/**
 * Requests (of one event or a batch) sent to a fresh server before the measured run, so its
 * figures are of a warm server: the first requests wait for the JIT.
 */
const BENCH_WARMUP_REQUESTS = 2000
/**
 * Requests each connection makes at least in a measured run: with fewer, the first burst
 * (every connection's first request at once) is most of a batch run and all of its p99.
 */
const BENCH_REQUESTS_PER_CONNECTION_MIN = 20
/** Another built cli.js (say, of the previous commit) to run alternately with this one. */
const BENCH_BASELINE = process.env['LIGHTHOUSE_HTTP_LOAD_BASELINE'] ?? null
/** Runs of each contender (LIGHTHOUSE_HTTP_LOAD_ROUNDS, default 1); medians are compared. */
const BENCH_ROUNDS = Number(process.env['LIGHTHOUSE_HTTP_LOAD_ROUNDS'] ?? 1)
/** Linux's USER_HZ: the unit of CPU times in /proc/PID/stat. */
const CLOCK_TICKS_PER_SECOND = 100

/**
 * expectExactlyAcknowledged: every 201 is stored as acknowledged, and no other client event
 * is. The store may add its own SLA transition events (a loaded machine crosses the
 * latency warning); those are not the clients'.
 */
async function expectExactlyAcknowledged(
  dir: string,
  result: Pick<HttpLoadResult, 'acks' | 'sent'>,
): Promise<void> {
  const store = await EventStore.open(dir, { access: 'read' })
  const stored: StoredEvent[] = []
  try {
    await store.readAll((event) => {
      if (event.source_component !== SLA_SOURCE_COMPONENT) stored.push(event)
    })
  } finally {
    await store.close()
  }
  const bySequence = new Map(stored.map((event) => [event.sequence, event.aggregate_id]))
  for (const ack of result.acks) expect(bySequence.get(ack.sequence)).toBe(ack.aggregate_id)
  expect(stored).toHaveLength(result.acks.length)
  for (const event of stored) expect(result.sent.has(event.aggregate_id)).toBe(true)
}

describe('HTTP appends under load', () => {
  const children = useBuiltCli()

  it(`stores every acknowledged event of ${CONNECTIONS} concurrent appenders, and nothing else`, async () => {
    const served = await serveStore()
    const result = await httpLoad({
      url: served.server.url,
      token: TOKENS['events.write'],
      connections: CONNECTIONS,
      events: EVENTS,
    })
    expect([...result.refused]).toEqual([])
    expect(result.acks).toHaveLength(EVENTS)
    await served.server.close()
    await expectExactlyAcknowledged(served.dir, result)
  })

  it(`stores every acknowledged batch of ${CONNECTIONS} concurrent appenders, and nothing else`, async () => {
    const served = await serveStore()
    const result = await httpLoad({
      url: served.server.url,
      token: TOKENS['events.write'],
      connections: CONNECTIONS,
      events: EVENTS,
      batch: 10,
    })
    expect([...result.refused]).toEqual([])
    expect(result.requests).toBe(EVENTS / 10)
    expect(result.acks).toHaveLength(EVENTS)
    await served.server.close()
    await expectExactlyAcknowledged(served.dir, result)
  })

  if (BENCH_EVENTS === 0) {
    console.log('skipping the HTTP load benchmark: set LIGHTHOUSE_HTTP_LOAD_EVENTS=N to run it')
  }
  it.runIf(BENCH_EVENTS > 0)(
    `benchmark: ${BENCH_EVENTS} events (or ${BENCH_REQUESTS_PER_CONNECTION_MIN} requests per connection) from ${CONNECTIONS} connections to a built serve, one per request and in batches of ${BENCH_BATCH}`,
    { timeout: 1_800_000 },
    async () => {
      const contenders: [string, string][] = [['built', BUILT_CLI]]
      if (BENCH_BASELINE !== null) contenders.unshift(['baseline', BENCH_BASELINE])
      for (const batch of [1, BENCH_BATCH]) {
        const runs = new Map<string, HttpLoadResult[]>(contenders.map(([name]) => [name, []]))
        for (let round = 0; round < BENCH_ROUNDS; round++) {
          for (const [name, cli] of contenders) {
            const { result, serverCpuMs } = await benchmarkServe(cli, batch, children)
            console.log(`${name}: ${describeRun(result, batch, serverCpuMs)}`)
            runs.get(name)!.push(result)
          }
        }
        if (BENCH_BASELINE !== null) console.log(describeRatios(runs, batch))
      }
    },
  )
})

/**
 * benchmarkServe runs the load against `serve` of a built CLI on a new store, after a
 * warm-up, checks that exactly the acknowledged events were stored, and returns the figures
 * of the measured run with the CPU time the server process spent during it.
 */
async function benchmarkServe(
  cli: string,
  batch: number,
  children: Set<ChildProcessWithoutNullStreams>,
): Promise<{ result: HttpLoadResult; serverCpuMs: number }> {
  const dir = join(tempDir(), 'store')
  await (await EventStore.open(dir, { create: true })).close()
  const token = await addToken(join(dir, TOKEN_FILE_NAME), 'load', ['events.write'])
  const child = spawn(process.execPath, [cli, 'serve', dir, '--port', '0'])
  children.add(child)
  let out = ''
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const match = / at (http:\/\/\S+)\n/.exec(out)
      if (match) resolve(match[1]!)
    })
    child.once('exit', () => reject(new Error(`serve exited: ${out}`)))
  })
  const load = { url, token, connections: CONNECTIONS, batch }
  const warmup = await httpLoad({
    ...load,
    events: BENCH_WARMUP_REQUESTS * batch,
    prefix: 'warmup',
  })
  const serverCpuAtStart = processCpuMs(child.pid!)
  const events = Math.max(BENCH_EVENTS, BENCH_REQUESTS_PER_CONNECTION_MIN * CONNECTIONS * batch)
  const result = await httpLoad({ ...load, events })
  const serverCpuMs = processCpuMs(child.pid!) - serverCpuAtStart
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await exited
  children.delete(child)
  await expectExactlyAcknowledged(dir, {
    acks: [...warmup.acks, ...result.acks],
    sent: new Set([...warmup.sent, ...result.sent]),
  })
  return { result, serverCpuMs }
}

/** processCpuMs is the CPU time (user + system) a process has used, from /proc; NaN elsewhere. */
function processCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND
  } catch {
    return NaN
  }
}

function describeRun(result: HttpLoadResult, batch: number, serverCpuMs: number): string {
  const { p50, p95, p99, max } = result.latencyMs
  const share = (cpuMs: number) => `${Math.round((100 * cpuMs) / result.elapsedMs)}%`
  return (
    `HTTP load (${batch === 1 ? 'one event per request' : `batches of ${batch}`}): ` +
    `${result.acks.length} acknowledged in ${(result.elapsedMs / 1000).toFixed(2)} s = ` +
    `${Math.round(result.eventsPerSecond)} appends/s; request latency ms p50 ${p50.toFixed(2)} ` +
    `p95 ${p95.toFixed(2)} p99 ${p99.toFixed(2)} max ${max.toFixed(2)}; CPU of one core: ` +
    `client ${share(result.clientCpuMs)}, server ${share(serverCpuMs)}; ` +
    `refused ${JSON.stringify([...result.refused])}`
  )
}

function describeRatios(runs: Map<string, HttpLoadResult[]>, batch: number): string {
  const median = (name: string, figure: (result: HttpLoadResult) => number): number => {
    const values = runs
      .get(name)!
      .map(figure)
      .sort((a, b) => a - b)
    return values[Math.floor(values.length / 2)]!
  }
  const ratio = (figure: (result: HttpLoadResult) => number) =>
    (median('built', figure) / median('baseline', figure)).toFixed(2)
  return (
    `built / baseline, medians of ${BENCH_ROUNDS} round(s), ${batch === 1 ? 'one event per request' : `batches of ${batch}`}: ` +
    `appends/s x${ratio((result) => result.eventsPerSecond)}, ` +
    `p50 x${ratio((result) => result.latencyMs.p50)}, p99 x${ratio((result) => result.latencyMs.p99)}`
  )
}
