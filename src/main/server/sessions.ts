import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Identity } from './scopes'

/**
 * Browser sessions for the served UI. `serve` prints a single-use login URL at every start;
 * visiting it trades the login token for an HttpOnly, SameSite=Strict session cookie that
 * the page, its SSE and its WebSocket requests carry. A session grants the admin scope
 * (the UI verifies, recovers and approves).
 */

export const SESSION_COOKIE = 'lhs_session'
/** Most live sessions; the oldest is dropped to make room. */
export const SESSIONS_MAX = 64
/** A session ends this long after it was created. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000

const SESSION_IDENTITY: Identity = { name: 'ui-session', scopes: ['admin'] }

export class Sessions {
  private loginToken: string | null = randomBytes(24).toString('base64url')
  /** Session id -> expiry (ms); Map keeps insertion order, so the first key is the oldest. */
  private readonly sessions = new Map<string, number>()

  constructor(private readonly nowMs: () => number = Date.now) {}

  /** The current single-use login token, or null once it was used. */
  get login(): string | null {
    return this.loginToken
  }

  /** redeem trades the login token for a new session id; null when it is wrong or used. */
  redeem(token: string): string | null {
    if (this.loginToken === null || !sameSecret(token, this.loginToken)) return null
    this.loginToken = null
    if (this.sessions.size >= SESSIONS_MAX) {
      const oldest = this.sessions.keys().next().value
      if (oldest !== undefined) this.sessions.delete(oldest)
    }
    const id = randomBytes(32).toString('base64url')
    this.sessions.set(id, this.nowMs() + SESSION_TTL_MS)
    return id
  }

  /** identify reads the session cookie from a Cookie header. */
  identify(cookieHeader: string | undefined): Identity | null {
    const id = readCookie(cookieHeader, SESSION_COOKIE)
    if (id === null) return null
    const expires = this.sessions.get(id)
    if (expires === undefined) return null
    if (expires <= this.nowMs()) {
      this.sessions.delete(id)
      return null
    }
    return SESSION_IDENTITY
  }

  /** The Set-Cookie value for a session id. */
  static cookie(id: string): string {
    const maxAge = Math.floor(SESSION_TTL_MS / 1000)
    return `${SESSION_COOKIE}=${id}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAge}`
  }
}

/** readCookie returns one cookie's value from a Cookie header, or null. */
export function readCookie(header: string | undefined, name: string): string | null {
  if (header === undefined) return null
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return null
}

/** sameSecret compares digests, so the time taken says nothing about how close a guess was. */
function sameSecret(presented: string, secret: string): boolean {
  const digest = (text: string): Buffer => createHash('sha256').update(text).digest()
  return timingSafeEqual(digest(presented), digest(secret))
}
