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
import type { BenchServer } from './httpFloor'
import { startHttpFloor } from './httpFloor'
import type { Trial } from './interleave'
import { interleave } from './interleave'

export const HTTP = 'HTTP append (64 connections, POST /events)'
export const HTTP_FLOOR = 'node:http floor: 201 after reading the body, no store'
const CONNECTIONS = 64

/** startServe runs `lighthouse-store serve DIR --port 0` and reads its address and token. */
async function startServe(cliFile: string, dir: string): Promise<BenchServer> {
  const child = spawn(process.execPath, [cliFile, 'serve', dir, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let output = ''
  const ready = new Promise<BenchServer>((resolve, reject) => {
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
 * `serve` process, each acknowledged with 201 once durable, and the same requests to the
 * node:http floor (httpFloor.ts), interleaved. The client shares the machine's cores with
 * the server, as a load generator on the same host would, so it is the lean one of
 * bench/httpLoad.ts (HttpConnection: requests pre-encoded, minimal answer parsing).
 */
export async function httpGroup(
  options: HarnessOptions,
  files: { cli: string; harness: string },
  results: BenchResults,
): Promise<void> {
  const root = fs.mkdtempSync(join(tmpdir(), 'lhs-harness-http-'))
  const dir = join(root, 'store')
  await (await EventStore.open(dir, { create: true, nodeId: 'bench' })).close()
  const servers: BenchServer[] = []
  try {
    servers.push(await startServe(files.cli, dir))
    servers.push(await startHttpFloor(files.harness))
    const bodies = benchEvents(options.httpEvents).map((event) => JSON.stringify(event))
    const trial = (contender: string, server: BenchServer): Trial => ({
      contender,
      run: async () => {
        const figures = await appendOverHttp(server, bodies)
        const at = { group: HTTP, contender }
        results.add({ ...at, metric: 'rate', unit: 'events/s' }, figures.rate)
        results.add({ ...at, metric: 'p50', unit: 'ms', better: 'lower' }, figures.p50Ms)
        results.add({ ...at, metric: 'p99', unit: 'ms', better: 'lower' }, figures.p99Ms)
      },
    })
    await interleave(
      [trial(ENGINE, servers[0]!), trial(HTTP_FLOOR, servers[1]!)],
      options.scanRounds,
    )
  } finally {
    await Promise.all(servers.map((server) => server.stop()))
    fs.rmSync(root, { recursive: true, force: true })
  }
}

/** appendOverHttp posts every body once, over CONNECTIONS connections, and times each. */
async function appendOverHttp(
  server: BenchServer,
  bodies: readonly string[],
): Promise<{ rate: number; p50Ms: number; p99Ms: number }> {
  const target = new URL(server.url)
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
  const rate = bodies.length / ((performance.now() - started) / 1000)
  return { rate, ...latencyFigures(latencies) }
}
