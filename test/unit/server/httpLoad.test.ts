import { spawn } from 'node:child_process'
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

/**
 * expectExactlyAcknowledged: every 201 is stored as acknowledged, and no other client event
 * is. The store may add its own SLA transition events (a loaded machine crosses the
 * latency warning); those are not the clients'.
 */
async function expectExactlyAcknowledged(dir: string, result: HttpLoadResult): Promise<void> {
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

  if (BENCH_EVENTS === 0) {
    console.log('skipping the HTTP load benchmark: set LIGHTHOUSE_HTTP_LOAD_EVENTS=N to run it')
  }
  it.runIf(BENCH_EVENTS > 0)(
    `benchmark: ${BENCH_EVENTS} events from ${CONNECTIONS} connections to a built serve`,
    { timeout: 600_000 },
    async () => {
      const dir = join(tempDir(), 'store')
      await (await EventStore.open(dir, { create: true })).close()
      const token = await addToken(join(dir, TOKEN_FILE_NAME), 'load', ['events.write'])
      const child = spawn(process.execPath, [BUILT_CLI, 'serve', dir, '--port', '0'])
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
      const result = await httpLoad({ url, token, connections: CONNECTIONS, events: BENCH_EVENTS })
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
      children.delete(child)
      const { p50, p90, p99, max } = result.latencyMs
      console.log(
        `HTTP load: ${result.acks.length} acknowledged in ${(result.elapsedMs / 1000).toFixed(2)} s = ` +
          `${Math.round(result.eventsPerSecond)} appends/s; latency ms p50 ${p50.toFixed(2)} ` +
          `p90 ${p90.toFixed(2)} p99 ${p99.toFixed(2)} max ${max.toFixed(2)}; ` +
          `refused ${JSON.stringify([...result.refused])}`,
      )
      await expectExactlyAcknowledged(dir, result)
    },
  )
})
