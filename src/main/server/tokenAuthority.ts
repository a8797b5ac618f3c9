import { timingSafeEqual } from 'node:crypto'
import type { Identity } from './scopes'
import { hashToken, TOKEN_CHARS_MAX, type TokenEntry } from './tokenFile'

/**
 * TokenAuthority answers "whose token is this?". The presented token is hashed first and
 * the hashes compared with timingSafeEqual against every entry, so the time taken does not
 * depend on how much of a secret a guess got right.
 */
export class TokenAuthority {
  private readonly entries: { hash: Buffer; identity: Identity }[]

  constructor(entries: readonly TokenEntry[]) {
    this.entries = entries.map((entry) => ({
      hash: Buffer.from(entry.token_sha256, 'hex'),
      identity: { name: entry.name, scopes: entry.scopes },
    }))
  }

  /** identify returns the token's identity, or null for an unknown or malformed token. */
  identify(token: string): Identity | null {
    if (token.length === 0 || token.length > TOKEN_CHARS_MAX) return null
    const presented = Buffer.from(hashToken(token), 'hex')
    let found: Identity | null = null
    for (const entry of this.entries) {
      if (timingSafeEqual(presented, entry.hash)) found = entry.identity
    }
    return found
  }

  /** fromAuthorization reads `Authorization: Bearer <token>`; null when absent or unknown. */
  fromAuthorization(header: string | undefined): Identity | null {
    if (header === undefined) return null
    const match = /^Bearer ([^\s]+)$/.exec(header)
    return match ? this.identify(match[1]!) : null
  }
}
