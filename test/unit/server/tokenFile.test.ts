import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { TokenAuthority } from '../../../src/main/server/tokenAuthority'
import {
  addToken,
  readTokenFile,
  revokeToken,
  TOKEN_FILE_NAME,
  TOKENS_MAX,
} from '../../../src/main/server/tokenFile'
import { tempDir } from '../../support/tempDir'

describe('token file', () => {
  it('is created with mode 0600 and stores only the hash of a new token', async () => {
    const path = join(tempDir(), TOKEN_FILE_NAME)
    const token = await addToken(path, 'admin', ['admin'])
    expect(token).toMatch(/^lhs_[A-Za-z0-9_-]{43}$/)
    expect(statSync(path).mode & 0o777).toBe(0o600)
    const text = readFileSync(path, 'utf8')
    expect(text).not.toContain(token)
    const entries = await readTokenFile(path)
    expect(entries).toHaveLength(1)
    expect(entries![0]).toMatchObject({ name: 'admin', scopes: ['admin'] })
    expect(entries![0]!.token_sha256).toMatch(/^[0-9a-f]{64}$/)
    expect(new TokenAuthority(entries!).identify(token)).toEqual({
      name: 'admin',
      scopes: ['admin'],
    })
  })

  it('adds and revokes tokens by name, refusing a duplicate name', async () => {
    const path = join(tempDir(), TOKEN_FILE_NAME)
    const admin = await addToken(path, 'admin', ['admin'])
    const reader = await addToken(path, 'reader', ['events.read'])
    await expect(addToken(path, 'reader', ['events.read'])).rejects.toThrow(
      /"reader" is used twice/,
    )
    expect(await revokeToken(path, 'reader')).toBe(true)
    expect(await revokeToken(path, 'reader')).toBe(false)
    const authority = new TokenAuthority((await readTokenFile(path))!)
    expect(authority.identify(reader)).toBeNull()
    expect(authority.identify(admin)?.name).toBe('admin')
  })

  it('accepts a hand-written plain token and reads it as its hash', async () => {
    const path = join(tempDir(), TOKEN_FILE_NAME)
    writeFileSync(
      path,
      JSON.stringify({
        tokens: [{ name: 'ci', token: 'a-long-enough-token', scopes: ['metrics'] }],
      }),
    )
    const authority = new TokenAuthority((await readTokenFile(path))!)
    expect(authority.fromAuthorization('Bearer a-long-enough-token')).toEqual({
      name: 'ci',
      scopes: ['metrics'],
    })
    expect(authority.fromAuthorization('Basic a-long-enough-token')).toBeNull()
    expect(authority.fromAuthorization('Bearer a-long-enough-tokem')).toBeNull()
  })

  it('returns null for a missing file', async () => {
    expect(await readTokenFile(join(tempDir(), 'absent.json'))).toBeNull()
  })

  it.each([
    ['not JSON', '{', /not valid JSON/],
    ['no list', '{"tokens": 3}', /must hold \{"tokens": \[\.\.\.\]\}/],
    [
      'bad name',
      '{"tokens":[{"name":"a b","token":"0123456789abcdefg","scopes":["admin"]}]}',
      /tokens\[0\]\.name must match/,
    ],
    [
      'unknown scope',
      '{"tokens":[{"name":"a","token":"0123456789abcdefg","scopes":["root"]}]}',
      /tokens\[0\]\.scopes must be/,
    ],
    [
      'short token',
      '{"tokens":[{"name":"a","token":"short","scopes":["admin"]}]}',
      /needs "token" \(16 to 256/,
    ],
    [
      'bad hash',
      '{"tokens":[{"name":"a","token_sha256":"xyz","scopes":["admin"]}]}',
      /needs "token"/,
    ],
  ])('refuses a file with %s, naming the file and the field', async (_name, text, message) => {
    const path = join(tempDir(), TOKEN_FILE_NAME)
    writeFileSync(path, text)
    await expect(readTokenFile(path)).rejects.toThrow(message)
    await expect(readTokenFile(path)).rejects.toThrow(path)
  })

  it(`refuses more than TOKENS_MAX (${TOKENS_MAX}) tokens`, async () => {
    const path = join(tempDir(), TOKEN_FILE_NAME)
    const tokens = Array.from({ length: TOKENS_MAX + 1 }, (_, i) => ({
      name: `t${i}`,
      token: `token-number-${i}-padding`,
      scopes: ['events.read'],
    }))
    writeFileSync(path, JSON.stringify({ tokens }))
    await expect(readTokenFile(path)).rejects.toThrow(/TOKENS_MAX 100/)
  })
})
