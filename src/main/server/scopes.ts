/**
 * The HTTP API's token scopes (DESIGN.md Contracts). `admin` implies every other scope.
 */
export const SCOPES = [
  'events.read',
  'events.write',
  'events.query',
  'streams.subscribe',
  'metrics',
  'admin',
] as const

export type Scope = (typeof SCOPES)[number]

/** Identity is who made a request: the token's name (recorded with admin actions) and scopes. */
export interface Identity {
  name: string
  scopes: readonly Scope[]
}

export function isScope(value: unknown): value is Scope {
  return typeof value === 'string' && (SCOPES as readonly string[]).includes(value)
}

/** allows says whether an identity may use a route that needs `scope`. */
export function allows(identity: Identity, scope: Scope): boolean {
  return identity.scopes.includes('admin') || identity.scopes.includes(scope)
}
