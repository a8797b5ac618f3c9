import type { IncomingMessage, ServerResponse } from 'node:http'
import type { OriginPolicy } from './originPolicy'
import type { RateLimiter } from './rateLimiter'
import { allows, type Identity, type Scope } from './scopes'
import type { Sessions } from './sessions'
import type { TokenAuthority } from './tokenAuthority'
import { HttpError, httpError, sendError, toHttpError } from './httpIo'
import { RouteTable, type Route, type RouteContext } from './route'

/**
 * The one path every request takes: Host and Origin checks, route lookup, authentication,
 * scope, read-only and rate checks, then the handler. There is no route that reaches the
 * store without passing the scope check; only a route declared with `scope: null`
 * (GET /health) skips authentication.
 */
export interface PipelineOptions {
  routes: readonly Route[]
  authority: TokenAuthority
  sessions: Sessions
  policy: OriginPolicy
  limiter: RateLimiter
  readOnly: boolean
  /** The port the server listens on, for the Host check (known once it listens). */
  port: () => number
  /** Called for errors that are the server's fault (500s). */
  onInternalError?: (error: unknown) => void
}

/** Headers on every answer. */
const SECURITY_HEADERS: readonly (readonly [string, string])[] = [
  ['x-content-type-options', 'nosniff'],
  ['x-frame-options', 'DENY'],
  ['referrer-policy', 'no-referrer'],
  ['cross-origin-resource-policy', 'same-origin'],
]

export function requestPipeline(
  options: PipelineOptions,
): (request: IncomingMessage, response: ServerResponse) => void {
  const table = new RouteTable(options.routes)
  return (request, response) => {
    for (const [name, value] of SECURITY_HEADERS) response.setHeader(name, value)
    const exchange = new Exchange(request, response)
    handle(options, table, exchange).catch((error: unknown) => {
      const answer = toHttpError(error)
      if (answer.status >= 500 && !(error instanceof HttpError)) options.onInternalError?.(error)
      if (exchange.route?.sendError && !response.headersSent)
        exchange.route.sendError(response, answer)
      else sendError(response, answer)
    })
  }
}

/** Who asks for a route that needs no token (GET /health). */
const ANONYMOUS: Identity = { name: 'anonymous', scopes: [] }

/** A request target that `new URL` would leave as it is: no query, escapes or dot segments. */
const PLAIN_PATH = /^\/(?!\/)[\w\-/]*$/

/**
 * Exchange is one request as it goes down the pipeline, and the context its route gets once
 * known. The URL is parsed only when asked for: most requests (every append) have a plain
 * path, which is all the routing needs.
 */
class Exchange implements RouteContext {
  route: Route | null = null
  params: Record<string, string> = {}
  identity: Identity = ANONYMOUS
  private parsed: URL | null = null

  constructor(
    readonly request: IncomingMessage,
    readonly response: ServerResponse,
  ) {}

  get url(): URL {
    return (this.parsed ??= new URL(this.request.url ?? '/', 'http://localhost'))
  }

  get pathname(): string {
    const target = this.request.url ?? '/'
    return PLAIN_PATH.test(target) ? target : this.url.pathname
  }
}

async function handle(
  options: PipelineOptions,
  table: RouteTable,
  exchange: Exchange,
): Promise<void> {
  const { request, response } = exchange
  const { policy } = options
  checkHostAndOrigin(options, request)
  const origin = request.headers.origin
  if (policy.corsOrigin !== null && origin === policy.corsOrigin) {
    response.setHeader('access-control-allow-origin', origin)
    response.setHeader('vary', 'origin')
  }
  if (request.method === 'OPTIONS') {
    if (policy.corsOrigin === null || origin !== policy.corsOrigin) {
      throw httpError(403, 'forbidden', 'Cross-origin requests are not enabled (see --cors-origin)')
    }
    response.writeHead(204, {
      'access-control-allow-methods': 'GET, POST',
      'access-control-allow-headers': 'authorization, content-type, last-event-id',
      'access-control-max-age': '600',
    })
    response.end()
    return
  }
  const { route, params } = table.find(request.method ?? 'GET', exchange.pathname)
  exchange.route = route
  exchange.params = params
  if (route.scope === null) {
    await route.handle(exchange)
    return
  }
  const identity = authenticate(options, request)
  requireScope(identity, route.scope)
  if (route.writes === true && options.readOnly) {
    throw httpError(
      403,
      'read_only',
      'This server was started with --read-only; it does not accept writes',
    )
  }
  takeRate(options, identity)
  exchange.identity = identity
  await route.handle(exchange)
}

/**
 * admitUpgrade applies the same checks to a WebSocket upgrade (GET /stream): Host, Origin,
 * credentials, scope and rate. It returns who asked, or throws the HttpError to answer.
 */
export function admitUpgrade(
  options: PipelineOptions,
  request: IncomingMessage,
  scope: Scope,
): Identity {
  checkHostAndOrigin(options, request)
  const identity = authenticate(options, request)
  requireScope(identity, scope)
  takeRate(options, identity)
  return identity
}

function checkHostAndOrigin(options: PipelineOptions, request: IncomingMessage): void {
  const { policy } = options
  const host = request.headers.host
  if (!policy.hostAllowed(host, options.port())) {
    throw httpError(
      403,
      'forbidden',
      `Host "${host ?? ''}" is not served here; start serve with --allow-host to add it`,
    )
  }
  const origin = request.headers.origin
  if (!policy.originAllowed(origin, host)) {
    throw httpError(403, 'forbidden', `Origin "${origin ?? ''}" may not call this server`)
  }
}

function requireScope(identity: Identity, scope: Scope): void {
  if (!allows(identity, scope)) {
    throw httpError(403, 'forbidden', `The token "${identity.name}" lacks the scope ${scope}`)
  }
}

function takeRate(options: PipelineOptions, identity: Identity): void {
  const waitSeconds = options.limiter.take(identity.name)
  if (waitSeconds > 0) {
    throw new HttpError(
      429,
      {
        code: 'rate_limited',
        message: `Too many requests for "${identity.name}"; retry in ${waitSeconds} s`,
      },
      { 'retry-after': `${waitSeconds}` },
    )
  }
}

/** authenticate accepts a bearer token, or the UI's session cookie; 401 otherwise. */
function authenticate(options: PipelineOptions, request: IncomingMessage): Identity {
  const header = request.headers.authorization
  if (header !== undefined) {
    const identity = options.authority.fromAuthorization(header)
    if (identity !== null) return identity
    throw new HttpError(
      401,
      { code: 'unauthorized', message: 'The bearer token is not valid' },
      { 'www-authenticate': 'Bearer' },
    )
  }
  const session = options.sessions.identify(request.headers.cookie)
  if (session !== null) return session
  throw new HttpError(
    401,
    { code: 'unauthorized', message: 'Send Authorization: Bearer <token>' },
    { 'www-authenticate': 'Bearer' },
  )
}
