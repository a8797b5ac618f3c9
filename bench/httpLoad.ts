/**
 * httpLoad drives `POST /events` (or `POST /events/batch`) with a fixed number of concurrent
 * appenders, one kept-alive connection each, until a fixed count of events was sent, and
 * reports what was acknowledged: every 201 with its sequence and the aggregate id that was
 * sent, every other status counted, throughput, latency percentiles and the CPU the client
 * itself spent. It bounds itself: `events` in total, `connections` sockets, one request in
 * flight per socket.
 *
 * The client shares the machine's cores with the server, so it is kept cheap, as a load
 * generator such as autocannon is: each connection writes a whole HTTP/1.1 request in one
 * write (built from pre-encoded parts, no JSON.stringify per request) and reads answers
 * with a minimal parser (status line, Content-Length, body). The server cannot tell it from
 * any other client: the requests are complete and valid, and every answer is read whole.
 *
 * Used by test/unit/server/httpLoad.test.ts (a small bounded run in the suite, and, with
 * LIGHTHOUSE_HTTP_LOAD_EVENTS set, a bigger one against a built `serve` process) and by
 * the benchmark harness (bench/harness/httpGroup.ts).
 */
import { connect, type Socket } from 'node:net'

export interface HttpLoadOptions {
  /** http://host:port of the server. */
  url: string
  /** A token with the events.write scope. */
  token: string
  connections: number
  events: number
  /** Payload bytes in each event's data (default 200). */
  dataBytes?: number
  /** Events per request: 1 (default) posts to /events, more to /events/batch. */
  batch?: number
  /** Aggregate ids are `${prefix}-${n}` (default "load"), so two runs on a store differ. */
  prefix?: string
}

export interface HttpAck {
  sequence: number
  aggregate_id: string
}

export interface HttpLoadResult {
  acks: HttpAck[]
  /** Aggregate ids of every event sent, acknowledged or not. */
  sent: Set<string>
  /** Requests answered other than 201, by status (0: the connection failed). */
  refused: Map<number, number>
  /** Requests made. */
  requests: number
  elapsedMs: number
  /** Acknowledged events per second. */
  eventsPerSecond: number
  /** Per request. */
  latencyMs: { p50: number; p90: number; p95: number; p99: number; max: number }
  /** CPU time (user + system) this process spent while the load ran: the client's share. */
  clientCpuMs: number
}

export interface HttpAnswer {
  status: number
  body: Buffer
}

export async function httpLoad(options: HttpLoadOptions): Promise<HttpLoadResult> {
  const target = new URL(options.url)
  const batch = options.batch ?? 1
  const requests = Math.ceil(options.events / batch)
  const acks: HttpAck[] = []
  const sent = new Set<string>()
  const refused = new Map<number, number>()
  const latencies = new Float64Array(requests)
  const encode = eventEncoder(options.dataBytes ?? 200)
  const path = batch === 1 ? '/events' : '/events/batch'
  const prefix = options.prefix ?? 'load'
  let next = 0
  const appender = async (): Promise<void> => {
    const connection = new HttpConnection(target, options.token)
    try {
      while (next < requests) {
        const n = next++
        const ids = aggregateIds(prefix, n * batch, Math.min(batch, options.events - n * batch))
        for (const id of ids) sent.add(id)
        const events = ids.map(encode)
        const body = batch === 1 ? events[0]! : `{"events":[${events.join(',')}]}`
        const started = performance.now()
        const answer = await connection.post(path, body)
        latencies[n] = performance.now() - started
        if (answer.status !== 201) {
          refused.set(answer.status, (refused.get(answer.status) ?? 0) + 1)
          continue
        }
        const sequences = acknowledgedSequences(answer.body, batch)
        ids.forEach((aggregate_id, i) => acks.push({ sequence: sequences[i]!, aggregate_id }))
      }
    } finally {
      connection.close()
    }
  }
  const cpuAtStart = process.cpuUsage()
  const started = performance.now()
  await Promise.all(Array.from({ length: options.connections }, appender))
  const elapsedMs = performance.now() - started
  const cpu = process.cpuUsage(cpuAtStart)
  latencies.sort()
  const at = (q: number): number => latencies[Math.min(requests - 1, Math.floor(q * requests))] ?? 0
  return {
    acks,
    sent,
    refused,
    requests,
    elapsedMs,
    eventsPerSecond: (acks.length * 1000) / elapsedMs,
    latencyMs: { p50: at(0.5), p90: at(0.9), p95: at(0.95), p99: at(0.99), max: at(1) },
    clientCpuMs: (cpu.user + cpu.system) / 1000,
  }
}

function aggregateIds(prefix: string, first: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${first + i}`)
}

/** eventEncoder returns the JSON of a load-test event, from parts encoded once. */
function eventEncoder(dataBytes: number): (aggregateId: string) => string {
  const data = JSON.stringify({ text: 'x'.repeat(dataBytes) })
  return (aggregateId) =>
    `{"event_type":"load_test","aggregate_id":${JSON.stringify(aggregateId)},"data":${data}}`
}

function acknowledgedSequences(body: Buffer, batch: number): number[] {
  const parsed = JSON.parse(body.toString('utf8')) as
    { sequence: number } | { results: { sequence: number }[] }
  return batch === 1
    ? [(parsed as { sequence: number }).sequence]
    : (parsed as { results: { sequence: number }[] }).results.map((result) => result.sequence)
}

const HEADER_END = Buffer.from('\r\n\r\n')
const CONTENT_LENGTH = /\r\ncontent-length: *(\d+)/i

/**
 * HttpConnection is one kept-alive HTTP/1.1 connection with one request in flight. It
 * (re)connects when needed; a connection that fails or closes answers status 0, and the
 * next request opens a new one. Answers must carry Content-Length (every answer of the
 * API's JSON routes does); any other answer is a failed connection.
 */
export class HttpConnection {
  private socket: Socket | null = null
  private received: Buffer[] = []
  private receivedBytes = 0
  private pending: ((answer: HttpAnswer) => void) | null = null
  /** The request's headers up to the Content-Length value, encoded once. */
  private readonly head: string

  constructor(
    private readonly target: URL,
    token: string,
  ) {
    this.head =
      `host: ${target.host}\r\nauthorization: Bearer ${token}\r\n` +
      'content-type: application/json\r\ncontent-length: '
  }

  post(path: string, body: string): Promise<HttpAnswer> {
    if (this.pending) throw new Error('HttpConnection: one request at a time')
    const request = `POST ${path} HTTP/1.1\r\n${this.head}${Buffer.byteLength(body)}\r\n\r\n${body}`
    return new Promise((resolve) => {
      this.pending = resolve
      this.open().write(request)
    })
  }

  close(): void {
    this.socket?.destroy()
    this.socket = null
  }

  private open(): Socket {
    if (this.socket) return this.socket
    const socket = connect(Number(this.target.port), this.target.hostname)
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => this.receive(chunk))
    socket.on('error', () => undefined)
    socket.on('close', () => {
      if (this.socket === socket) this.socket = null
      this.answer({ status: 0, body: Buffer.alloc(0) })
    })
    this.socket = socket
    return socket
  }

  private receive(chunk: Buffer): void {
    this.received.push(chunk)
    this.receivedBytes += chunk.length
    const data =
      this.received.length === 1 ? chunk : Buffer.concat(this.received, this.receivedBytes)
    const headerEnd = data.indexOf(HEADER_END)
    if (headerEnd < 0) return
    const header = data.toString('latin1', 0, headerEnd)
    const length = CONTENT_LENGTH.exec(header)?.[1]
    if (length === undefined) {
      this.close()
      return
    }
    const bodyStart = headerEnd + HEADER_END.length
    const bodyEnd = bodyStart + Number(length)
    if (data.length < bodyEnd) {
      this.received = [data]
      return
    }
    // One request in flight: nothing may follow its answer.
    this.received = []
    this.receivedBytes = 0
    this.answer({ status: Number(header.slice(9, 12)), body: data.subarray(bodyStart, bodyEnd) })
  }

  private answer(answer: HttpAnswer): void {
    const pending = this.pending
    this.pending = null
    this.received = []
    this.receivedBytes = 0
    pending?.(answer)
  }
}
