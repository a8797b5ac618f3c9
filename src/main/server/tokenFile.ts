import { createHash, randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { ValidationError } from '../engine/errors'
import { isScope, SCOPES, type Scope } from './scopes'

/**
 * The token file: `{"tokens":[{"name","token" | "token_sha256","scopes":[…]}]}`.
 *
 * A file written here stores only SHA-256 hashes; a plain `token` is accepted on reading so
 * an operator can write a file by hand. The file is created with mode 0600 (it grants access
 * to the store) and replaced atomically (temp, fsync, rename, fsync directory), so a crash
 * leaves the old file or the new one, never a torn one.
 */

/** The default token file of a store, inside its directory. */
export const TOKEN_FILE_NAME = 'tokens.json'
/** Most tokens one file may hold. */
export const TOKENS_MAX = 100
/** A token's name: letters, digits, '.', '_' and '-', 1 to 64 characters. */
export const TOKEN_NAME_PATTERN = /^[A-Za-z0-9._-]{1,64}$/
/** Largest token file read (a file of TOKENS_MAX entries is a few KiB). */
export const TOKEN_FILE_BYTES_MAX = 256 * 1024
/** Presented tokens longer than this are refused without hashing. */
export const TOKEN_CHARS_MAX = 256

export interface TokenEntry {
  name: string
  /** Lowercase hex SHA-256 of the token. */
  token_sha256: string
  scopes: Scope[]
}

/** newToken makes a random token: 32 bytes of entropy, URL-safe, recognisable by its prefix. */
export function newToken(): string {
  return `lhs_${randomBytes(32).toString('base64url')}`
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex')
}

/** readTokenFile reads and validates a token file; null when it does not exist. */
export async function readTokenFile(path: string): Promise<TokenEntry[] | null> {
  let text: string
  try {
    const stat = await fs.promises.stat(path)
    if (stat.size > TOKEN_FILE_BYTES_MAX) {
      throw new ValidationError(
        'tokens',
        `The token file ${path} is ${stat.size} bytes, over TOKEN_FILE_BYTES_MAX ${TOKEN_FILE_BYTES_MAX}`,
      )
    }
    text = await fs.promises.readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new ValidationError('tokens', `The token file ${path} is not valid JSON`)
  }
  return parseTokenFile(parsed, path)
}

/** parseTokenFile validates a parsed token file, naming the file and the field at fault. */
export function parseTokenFile(parsed: unknown, path: string): TokenEntry[] {
  const tokens = (parsed as { tokens?: unknown } | null)?.tokens
  if (!Array.isArray(tokens)) {
    throw new ValidationError('tokens', `The token file ${path} must hold {"tokens": [...]}`)
  }
  if (tokens.length > TOKENS_MAX) {
    throw new ValidationError(
      'tokens',
      `The token file ${path} holds ${tokens.length} tokens, over TOKENS_MAX ${TOKENS_MAX}`,
    )
  }
  const names = new Set<string>()
  return tokens.map((raw: unknown, index) => {
    const field = `tokens[${index}]`
    const entry = parseEntry(raw, `${path}: ${field}`, field)
    if (names.has(entry.name)) {
      throw new ValidationError(
        `${field}.name`,
        `${path}: the token name "${entry.name}" is used twice`,
      )
    }
    names.add(entry.name)
    return entry
  })
}

function parseEntry(raw: unknown, where: string, field: string): TokenEntry {
  if (typeof raw !== 'object' || raw === null) {
    throw new ValidationError(field, `${where} must be an object`)
  }
  const { name, token, token_sha256: sha, scopes } = raw as Record<string, unknown>
  if (typeof name !== 'string' || !TOKEN_NAME_PATTERN.test(name)) {
    throw new ValidationError(
      `${field}.name`,
      `${where}.name must match ${TOKEN_NAME_PATTERN.source} (1 to 64 letters, digits, '.', '_', '-')`,
    )
  }
  if (!Array.isArray(scopes) || scopes.length === 0 || !scopes.every(isScope)) {
    throw new ValidationError(
      `${field}.scopes`,
      `${where}.scopes must be a non-empty list of ${SCOPES.join(', ')}`,
    )
  }
  let hash: string
  if (typeof sha === 'string' && /^[0-9a-f]{64}$/.test(sha) && token === undefined) {
    hash = sha
  } else if (typeof token === 'string' && token.length >= 16 && token.length <= TOKEN_CHARS_MAX) {
    if (sha !== undefined) {
      throw new ValidationError(field, `${where} must have "token" or "token_sha256", not both`)
    }
    hash = hashToken(token)
  } else {
    throw new ValidationError(
      field,
      `${where} needs "token" (16 to ${TOKEN_CHARS_MAX} characters) or "token_sha256" (64 lowercase hex digits)`,
    )
  }
  return { name, token_sha256: hash, scopes: [...new Set(scopes)] }
}

/** writeTokenFile replaces the file atomically with mode 0600, storing hashes only. */
export async function writeTokenFile(path: string, entries: readonly TokenEntry[]): Promise<void> {
  const body = `${JSON.stringify({ tokens: entries }, null, 2)}\n`
  const temp = join(dirname(path), `.${basename(path)}.tmp`)
  const handle = await fs.promises.open(temp, 'w', 0o600)
  try {
    await handle.writeFile(body, 'utf8')
    await handle.chmod(0o600)
    await handle.sync()
  } finally {
    await handle.close()
  }
  await fs.promises.rename(temp, path)
  const dir = await fs.promises.open(dirname(path), 'r')
  try {
    await dir.sync()
  } finally {
    await dir.close()
  }
}

/**
 * addToken stores a new token (creating the file when missing) and returns the token
 * itself: the only time it is ever shown.
 */
export async function addToken(path: string, name: string, scopes: Scope[]): Promise<string> {
  const entries = (await readTokenFile(path)) ?? []
  const token = newToken()
  const added = parseTokenFile({ tokens: [...entries, { name, token, scopes }] }, path)
  await writeTokenFile(path, added)
  return token
}

/** revokeToken removes the named token; false when there was none by that name. */
export async function revokeToken(path: string, name: string): Promise<boolean> {
  const entries = (await readTokenFile(path)) ?? []
  const kept = entries.filter((entry) => entry.name !== name)
  if (kept.length === entries.length) return false
  await writeTokenFile(path, kept)
  return true
}
