import type { IncomingMessage, ServerResponse } from 'node:http'
import { httpError, type HttpError } from './httpIo'
import type { Identity, Scope } from './scopes'

/** RouteContext is what a route handler gets: the exchange, path parameters, who asked. */
export interface RouteContext {
  request: IncomingMessage
  response: ServerResponse
  url: URL
  params: Record<string, string>
  identity: Identity
}

/**
 * Route is one HTTP route. `scope` null means no token is needed (only GET /health);
 * `writes` routes answer 403 `read_only` when the server was started with --read-only.
 */
export interface Route {
  method: 'GET' | 'POST'
  /** A path with `:name` segments, e.g. /events/:event_id. */
  path: string
  scope: Scope | null
  writes?: boolean
  handle(context: RouteContext): Promise<void> | void
  /**
   * Answers a refusal or failure of this route (401, 403, 404, ...) when JSON would be
   * wrong: a browser navigating to the UI gets a page. Default: JSON `{code, message}`.
   */
  sendError?: (response: ServerResponse, error: HttpError) => void
}

/**
 * RouteTable finds the route for a request. Patterns are split into segments once, and a
 * request's path once, whatever the number of routes.
 */
export class RouteTable {
  private readonly patterns: { route: Route; segments: readonly string[] }[]

  constructor(routes: readonly Route[]) {
    this.patterns = routes.map((route) => ({ route, segments: route.path.split('/') }))
  }

  /**
   * find returns the route for `method` and `pathname` with its path parameters; 404 when
   * no route has that path, 405 when only other methods do.
   */
  find(method: string, pathname: string): { route: Route; params: Record<string, string> } {
    const have = pathname.split('/')
    let pathKnown = false
    for (const { route, segments } of this.patterns) {
      const params = matchSegments(segments, have)
      if (params === null) continue
      if (route.method === method) return { route, params }
      pathKnown = true
    }
    if (pathKnown)
      throw httpError(405, 'validation', `method: ${method} is not allowed on ${pathname}`)
    throw httpError(404, 'not_found', `No route ${pathname}`)
  }
}

/** matchSegments returns the path parameters when the path fits the pattern, else null. */
function matchSegments(
  want: readonly string[],
  have: readonly string[],
): Record<string, string> | null {
  if (want.length !== have.length) return null
  let params: Record<string, string> | null = null
  for (let i = 0; i < want.length; i++) {
    const part = want[i]!
    const value = have[i]!
    if (part.startsWith(':')) {
      if (value === '') return null
      try {
        ;(params ??= {})[part.slice(1)] = decodeURIComponent(value)
      } catch {
        return null
      }
    } else if (part !== value) {
      return null
    }
  }
  return params ?? {}
}
