import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { forkHarness } from './forkHarness'

export const HTTP_FLOOR_CHILD_FLAG = '--http-floor-child'

/** A server the HTTP group appends to: where it listens, the token it wants, how to stop it. */
export interface BenchServer {
  url: string
  token: string
  stop: () => Promise<void>
}

/**
 * httpFloorChild is the floor under `serve`'s POST /events: node:http in its own process,
 * reading each request's body and answering 201 with a body shaped like an append's, with
 * no store, no checks and no disk. What `serve` costs beyond it is ours; what it costs
 * itself is the most any node:http server on this machine can do. Sends its URL, then
 * serves until killed.
 */
export async function httpFloorChild(): Promise<void> {
  let sequence = 0
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      sequence++
      const body = JSON.stringify({ sequence, event_id: `0_${sequence}_floor` })
      response.writeHead(201, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      })
      response.end(body)
    })
  })
  server.keepAliveTimeout = 60_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  // A harness that dies without stopping it must not leave it serving.
  process.once('disconnect', () => process.exit(0))
  process.send!({ url: `http://127.0.0.1:${port}` })
}

/** startHttpFloor runs httpFloorChild in a child of the harness. */
export async function startHttpFloor(harnessFile: string): Promise<BenchServer> {
  const { child, message } = await forkHarness(harnessFile, [HTTP_FLOOR_CHILD_FLAG])
  return {
    url: (message as { url: string }).url,
    token: 'floor',
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    },
  }
}
