import type { IncomingMessage, ServerResponse } from 'node:http'
import type { HttpError } from './httpIo'
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

/** matchPath returns the path parameters when `pathname` fits `pattern`, else null. */
export function matchPath(pattern: string, pathname: string): Record<string, string> | null {
  const want = pattern.split('/')
  const have = pathname.split('/')
  if (want.length !== have.length) return null
  const params: Record<string, string> = {}
  for (let i = 0; i < want.length; i++) {
    const part = want[i]!
    const value = have[i]!
    if (part.startsWith(':')) {
      if (value === '') return null
      try {
        params[part.slice(1)] = decodeURIComponent(value)
      } catch {
        return null
      }
    } else if (part !== value) {
      return null
    }
  }
  return params
}
