import { spawn } from 'node:child_process'
import { once } from 'node:events'
import * as fs from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EventStore } from '../../src/main/engine/eventStore'
import { HttpConnection } from '../httpLoad'
import { latencyFigures } from '../stats'
import { ENGINE } from './appendGroups'
import { benchEvents } from './benchEvents'
import type { BenchResults } from './benchResults'
import type { HarnessOptions } from './harnessOptions'

export const HTTP = 'HTTP append (64 connections, POST /events)'
const CONNECTIONS = 64

interface Server {
  url: string
  token: string
  stop: () => Promise<void>
}

/** startServe runs `lighthouse-store serve DIR --port 0` and reads its address and token. */
async function startServe(cliFile: string, dir: string): Promise<Server> {
  const child = spawn(process.execPath, [cliFile, 'serve', dir, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let output = ''
  const ready = new Promise<Server>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      output += text
      const url = /Serving .* at (http:\/\/\S+)/.exec(output)?.[1]
      const token = /admin token[^\n]*\n\s*(\S+)/.exec(output)?.[1]
      if (url && token) {
        resolve({
          url,
          token,
          stop: async () => {
            const exited = once(child, 'exit')
            child.kill('SIGTERM')
            await exited
          },
        })
      }
    })
    child.once('exit', (code) => reject(new Error(`serve exited (${code}): ${output.trim()}`)))
  })
  return ready
}

/**
 * httpGroup appends demo events one per request over 64 kept-alive connections to a
 * `serve` process, each acknowledged with 201 once durable. The client shares the machine's
 * cores with the server, as a load generator on the same host would, so it is the lean one
 * of bench/httpLoad.ts (HttpConnection: requests pre-encoded, minimal answer parsing).
 */
export async function httpGroup(
  options: HarnessOptions,
  cliFile: string,
  results: BenchResults,
): Promise<void> {
  const root = fs.mkdtempSync(join(tmpdir(), 'lhs-harness-http-'))
  const dir = join(root, 'store')
  await (await EventStore.open(dir, { create: true, nodeId: 'bench' })).close()
  const server = await startServe(cliFile, dir)
  const target = new URL(server.url)
  try {
    const bodies = benchEvents(options.httpEvents).map((event) => JSON.stringify(event))
    for (let repetition = 0; repetition < options.scanRounds; repetition++) {
      const latencies: number[] = []
      let next = 0
      const started = performance.now()
      const appender = async () => {
        const connection = new HttpConnection(target, server.token)
        try {
          while (next < bodies.length) {
            const body = bodies[next++]!
            const t = performance.now()
            const { status } = await connection.post('/events', body)
            if (status !== 201) throw new Error(`POST /events answered ${status}.`)
            latencies.push(performance.now() - t)
          }
        } finally {
          connection.close()
        }
      }
      await Promise.all(Array.from({ length: CONNECTIONS }, appender))
      const seconds = (performance.now() - started) / 1000
      const at = { group: HTTP, contender: ENGINE }
      results.add({ ...at, metric: 'rate', unit: 'events/s' }, bodies.length / seconds)
      const figures = latencyFigures(latencies)
      results.add({ ...at, metric: 'p50', unit: 'ms', better: 'lower' }, figures.p50Ms)
      results.add({ ...at, metric: 'p99', unit: 'ms', better: 'lower' }, figures.p99Ms)
    }
  } finally {
    await server.stop()
    fs.rmSync(root, { recursive: true, force: true })
  }
}
