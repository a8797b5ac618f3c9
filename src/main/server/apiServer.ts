import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { EventStore } from '../engine/eventStore'
import { eventRoutes } from './eventRoutes'
import { httpError, sendError, sendJson } from './httpIo'
import { OriginPolicy } from './originPolicy'
import { RateLimiter } from './rateLimiter'
import { admitUpgrade, requestPipeline, type PipelineOptions } from './requestPipeline'
import type { Identity, Scope } from './scopes'
import type { Route } from './route'
import { Sessions } from './sessions'
import { TokenAuthority } from './tokenAuthority'
import type { TokenEntry } from './tokenFile'

/** Requests per second each token may make on average, and its burst. */
export const TOKEN_RATE_PER_SECOND_DEFAULT = 50_000
export const TOKEN_BURST_DEFAULT = 100_000
/** Longest a request may take to send its headers (slow-loris defence). */
export const HEADERS_TIMEOUT_MS = 10_000
/** Longest a whole request may take to arrive. */
export const REQUEST_TIMEOUT_MS = 60_000
/** How often the server looks for requests past those deadlines (Node's default is 30 s). */
export const TIMEOUT_CHECK_MS = 1_000

/**
 * StoreSource gives the store a request works on, read per request: the host reopens the
 * store after a recovery, so a route must never keep an EventStore of its own.
 */
export type StoreSource = () => EventStore

export interface ApiServerOptions {
  store: StoreSource
  tokens: readonly TokenEntry[]
  /** Default 127.0.0.1: loopback unless asked otherwise. */
  host?: string
  /** 0 picks a free port. */
  port?: number
  readOnly?: boolean
  allowHosts?: readonly string[]
  corsOrigin?: string | null
  ratePerSecond?: number
  burst?: number
  /** More routes (admin, metrics, the UI), checked after the event routes. */
  routes?: (sessions: Sessions) => Route[]
  onInternalError?: (error: unknown) => void
  /** HEADERS_TIMEOUT_MS unless a test needs a shorter one. */
  headersTimeoutMs?: number
}

/**
 * ApiServer serves one store over HTTP. close() stops accepting connections, lets every
 * request in flight finish (an append that was accepted is answered once durable), ends
 * the event streams, and resolves; the caller then closes the store.
 */
export class ApiServer {
  private sockets = 0
  private closing = false

  private constructor(
    private readonly server: Server,
    readonly sessions: Sessions,
    /** The Host and Origin rules; the WebSocket bridge on this server takes its lists. */
    readonly policy: OriginPolicy,
    private readonly bindHost: string,
    private readonly pipeline: PipelineOptions,
    private readonly open: Set<ServerResponse>,
  ) {}

  /** admitUpgrade checks a WebSocket upgrade like any request (see requestPipeline). */
  admitUpgrade(request: IncomingMessage, scope: Scope): Identity {
    return admitUpgrade(this.pipeline, request, scope)
  }

  static async start(options: ApiServerOptions): Promise<ApiServer> {
    const bindHost = options.host ?? '127.0.0.1'
    const sessions = new Sessions()
    let port = options.port ?? 0
    const routes: Route[] = [healthRoute(options.store), ...eventRoutes(options.store)]
    if (options.routes) routes.push(...options.routes(sessions))
    const policy = new OriginPolicy({
      bindHost,
      allowHosts: options.allowHosts ?? [],
      corsOrigin: options.corsOrigin ?? null,
    })
    const pipeline: PipelineOptions = {
      routes,
      authority: new TokenAuthority(options.tokens),
      sessions,
      policy,
      limiter: new RateLimiter(
        options.ratePerSecond ?? TOKEN_RATE_PER_SECOND_DEFAULT,
        options.burst ?? TOKEN_BURST_DEFAULT,
      ),
      readOnly: options.readOnly ?? false,
      port: () => port,
      ...(options.onInternalError ? { onInternalError: options.onInternalError } : {}),
    }
    const handler = requestPipeline(pipeline)
    // Answers not yet closed: close() waits for them (and ends the streams among them).
    const open = new Set<ServerResponse>()
    let closing = (): boolean => false
    const server = createServer(
      {
        headersTimeout: options.headersTimeoutMs ?? HEADERS_TIMEOUT_MS,
        requestTimeout: REQUEST_TIMEOUT_MS,
        connectionsCheckingInterval: TIMEOUT_CHECK_MS,
      },
      (request, response) => {
        open.add(response)
        response.once('close', () => open.delete(response))
        // Once closing, a request that slipped in on a kept-alive connection is turned away
        // before it can start an append that would outlive its connection.
        if (closing()) {
          response.shouldKeepAlive = false
          sendError(response, httpError(503, 'store_closed', 'The server is shutting down'))
          return
        }
        handler(request, response)
      },
    )
    const api = new ApiServer(server, sessions, policy, bindHost, pipeline, open)
    closing = () => api.closing
    server.on('connection', (socket: Socket) => {
      api.sockets++
      socket.once('close', () => api.sockets--)
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, bindHost, () => {
        server.off('error', reject)
        resolve()
      })
    })
    port = (server.address() as AddressInfo).port
    return api
  }

  get httpServer(): Server {
    return this.server
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port
  }

  get url(): string {
    const host = this.bindHost.includes(':') ? `[${this.bindHost}]` : this.bindHost
    return `http://${host}:${this.port}`
  }

  /** Open TCP connections: HTTP keep-alive, SSE streams and upgraded WebSockets. */
  get activeConnections(): number {
    return this.sockets
  }

  /** The single-use login URL for the browser UI, or null once it was used. */
  get loginUrl(): string | null {
    const token = this.sessions.login
    return token === null ? null : `${this.url}/login?token=${token}`
  }

  async close(): Promise<void> {
    this.closing = true
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()))
    this.server.closeIdleConnections()
    for (const response of this.open) {
      if (isStream(response)) response.end()
    }
    while (this.open.size > 0) {
      const [response] = this.open
      await new Promise<void>((resolve) => response!.once('close', () => resolve()))
    }
    this.server.closeAllConnections()
    await closed
  }
}

function isStream(response: ServerResponse): boolean {
  return String(response.getHeader('content-type') ?? '').startsWith('text/event-stream')
}

/** GET /health needs no token and says only whether the store is healthy. */
function healthRoute(store: StoreSource): Route {
  return {
    method: 'GET',
    path: '/health',
    scope: null,
    handle({ response }) {
      const { status } = store().healthSummary()
      sendJson(response, status === 'failed' ? 503 : 200, { status })
    },
  }
}
