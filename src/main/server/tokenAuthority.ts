import { timingSafeEqual } from 'node:crypto'
import type { Identity } from './scopes'
import { hashToken, TOKEN_CHARS_MAX, TOKENS_MAX, type TokenEntry } from './tokenFile'

/**
 * TokenAuthority answers "whose token is this?". A token it has not verified yet is hashed
 * and the hash compared with timingSafeEqual against every entry, so the time taken does not
 * depend on how much of a secret a guess got right.
 *
 * A verified token is remembered, so a client's every request does not hash it again (on
 * the append path that hash cost more than the rest of the authorization together). The
 * entries are fixed for the authority's life (serve reads the token file at start; a
 * revoked token is refused once the server restarts with the new file), so a remembered
 * verdict cannot go stale. Only tokens that matched are remembered: at most one per entry,
 * so at most TOKENS_MAX, whatever clients send. Looking a guess up among them compares
 * string contents only when the guess has the same (randomly seeded) hash as a real token,
 * so its timing tells nothing about how close the guess is.
 */
export class TokenAuthority {
  private readonly entries: { hash: Buffer; identity: Identity }[]
  private readonly verified = new Map<string, Identity>()

  constructor(entries: readonly TokenEntry[]) {
    this.entries = entries.map((entry) => ({
      hash: Buffer.from(entry.token_sha256, 'hex'),
      identity: { name: entry.name, scopes: entry.scopes },
    }))
  }

  /** identify returns the token's identity, or null for an unknown or malformed token. */
  identify(token: string): Identity | null {
    if (token.length === 0 || token.length > TOKEN_CHARS_MAX) return null
    const remembered = this.verified.get(token)
    if (remembered !== undefined) return remembered
    const found = this.verify(token)
    if (found !== null && this.verified.size < TOKENS_MAX) this.verified.set(token, found)
    return found
  }

  /** fromAuthorization reads `Authorization: Bearer <token>`; null when absent or unknown. */
  fromAuthorization(header: string | undefined): Identity | null {
    if (header === undefined) return null
    const match = /^Bearer ([^\s]+)$/.exec(header)
    return match ? this.identify(match[1]!) : null
  }

  private verify(token: string): Identity | null {
    const presented = Buffer.from(hashToken(token), 'hex')
    let found: Identity | null = null
    for (const entry of this.entries) {
      if (timingSafeEqual(presented, entry.hash)) found = entry.identity
    }
    return found
  }
}
