import { SCOPES, type Scope } from '../../../src/main/server/scopes'
import { hashToken, type TokenEntry } from '../../../src/main/server/tokenFile'

/** One token per scope, named after it (admin included). */
export const TOKENS: Record<Scope, string> = Object.fromEntries(
  SCOPES.map((scope) => [scope, `test-token-for-${scope}-0123456789`]),
) as Record<Scope, string>

export const ENTRIES: TokenEntry[] = SCOPES.map((scope) => ({
  name: scope.replace('.', '-'),
  token_sha256: hashToken(TOKENS[scope]),
  scopes: [scope],
}))
