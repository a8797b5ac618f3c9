/**
 * httpLoad drives `POST /events` with a fixed number of concurrent appenders over
 * keep-alive connections (one socket each) until a fixed count of events was sent, and
 * reports what was acknowledged: every 201 with its sequence and the aggregate id that
 * was sent, every other status counted, throughput and latency percentiles. It bounds
 * itself: `events` in total, `connections` sockets, one request in flight per socket.
 *
 * Used by test/unit/server/httpLoad.test.ts: a small bounded run in the suite, and, with
 * LIGHTHOUSE_HTTP_LOAD_EVENTS set, a bigger one against a built `serve` process.
 */
import { Agent, request } from 'node:http'

export interface HttpLoadOptions {
  /** http://host:port of the server. */
  url: string
  /** A token with the events.write scope. */
  token: string
  connections: number
  events: number
  /** Payload bytes in each event's data (default 200). */
  dataBytes?: number
}

export interface HttpAck {
  sequence: number
  aggregate_id: string
}

export interface HttpLoadResult {
  acks: HttpAck[]
  /** Aggregate ids of every request sent, acknowledged or not. */
  sent: Set<string>
  /** Answers other than 201, by status (0: the connection failed). */
  refused: Map<number, number>
  elapsedMs: number
  eventsPerSecond: number
  latencyMs: { p50: number; p90: number; p99: number; max: number }
}

export async function httpLoad(options: HttpLoadOptions): Promise<HttpLoadResult> {
  const target = new URL(options.url)
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections })
  const data = { text: 'x'.repeat(options.dataBytes ?? 200) }
  const acks: HttpAck[] = []
  const sent = new Set<string>()
  const refused = new Map<number, number>()
  const latencies: number[] = []
  let next = 0
  const appender = async (): Promise<void> => {
    while (next < options.events) {
      const n = next++
      const aggregate_id = `load-${n}`
      sent.add(aggregate_id)
      const body = JSON.stringify({ event_type: 'load_test', aggregate_id, data })
      const started = performance.now()
      const answer = await post(target, agent, options.token, body)
      latencies.push(performance.now() - started)
      if (answer.status === 201) {
        acks.push({ sequence: (JSON.parse(answer.text) as HttpAck).sequence, aggregate_id })
      } else {
        refused.set(answer.status, (refused.get(answer.status) ?? 0) + 1)
      }
    }
  }
  const started = performance.now()
  try {
    await Promise.all(Array.from({ length: options.connections }, appender))
  } finally {
    agent.destroy()
  }
  const elapsedMs = performance.now() - started
  latencies.sort((a, b) => a - b)
  const at = (q: number): number =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0
  return {
    acks,
    sent,
    refused,
    elapsedMs,
    eventsPerSecond: (acks.length * 1000) / elapsedMs,
    latencyMs: { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: latencies.at(-1) ?? 0 },
  }
}

function post(
  target: URL,
  agent: Agent,
  token: string,
  body: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        method: 'POST',
        path: '/events',
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (text += chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }))
        res.on('error', () => resolve({ status: 0, text }))
      },
    )
    req.on('error', () => resolve({ status: 0, text: '' }))
    req.end(body)
  })
}
