/**
 * The WebSocket bridge's default authorization: one random token, made at start and handed
 * to the one client that should connect (a page's URL, a test). The `serve` command plugs
 * in its own check (scoped tokens, the session cookie) through the same `authorize` option.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/** The cookie a page may carry the token in, instead of the `?token=` parameter. */
export const BRIDGE_TOKEN_COOKIE = 'lighthouse_bridge_token'
/** Random bytes in a generated token (256 bits). */
const TOKEN_BYTES = 32

/** Authorize decides whether an upgrade request may open a bridge connection. */
export type Authorize = (request: IncomingMessage) => boolean | Promise<boolean>

export interface TokenAuthorizer {
  readonly token: string
  readonly authorize: Authorize
}

/** createTokenAuthorizer accepts requests carrying `token` as `?token=` or as the cookie. */
export function createTokenAuthorizer(
  token: string = randomBytes(TOKEN_BYTES).toString('base64url'),
): TokenAuthorizer {
  const expected = digest(token)
  // Comparing digests takes the same time whatever the guess, and whatever its length.
  const matches = (candidate: string | null): boolean =>
    candidate !== null && timingSafeEqual(digest(candidate), expected)
  return {
    token,
    authorize: (request) =>
      matches(queryToken(request.url)) ||
      matches(cookieValue(request.headers.cookie, BRIDGE_TOKEN_COOKIE)),
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest()
}

function queryToken(url: string | undefined): string | null {
  if (url === undefined || !URL.canParse(url, 'http://localhost')) return null
  return new URL(url, 'http://localhost').searchParams.get('token')
}

/** cookieValue reads one cookie from a Cookie header, or returns null. */
function cookieValue(header: string | undefined, name: string): string | null {
  for (const pair of (header ?? '').split(';')) {
    const separator = pair.indexOf('=')
    if (separator !== -1 && pair.slice(0, separator).trim() === name) {
      return pair.slice(separator + 1).trim()
    }
  }
  return null
}
