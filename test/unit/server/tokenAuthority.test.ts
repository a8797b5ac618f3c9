import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { EventStore } from '../../../src/main/engine/eventStore'
import { StoreServer } from '../../../src/main/server/storeServer'
import { TokenAuthority } from '../../../src/main/server/tokenAuthority'
import * as tokenFile from '../../../src/main/server/tokenFile'
import {
  addToken,
  readTokenFile,
  revokeToken,
  TOKEN_FILE_NAME,
} from '../../../src/main/server/tokenFile'
import { tempDir } from '../../support/tempDir'
import { jsonRequest, send } from './httpClient'
import { ENTRIES, TOKENS } from './testTokens'

// Counts the hashes TokenAuthority computes, keeping the real function.
vi.mock('../../../src/main/server/tokenFile', async (actual) => {
  const module = await actual<typeof import('../../../src/main/server/tokenFile')>()
  return { ...module, hashToken: vi.fn(module.hashToken) }
})

const hashes = (): number => vi.mocked(tokenFile.hashToken).mock.calls.length

describe('TokenAuthority', () => {
  it('hashes a valid token once, then knows it without hashing again', () => {
    const authority = new TokenAuthority(ENTRIES)
    const before = hashes()
    for (let i = 0; i < 5; i++) {
      expect(authority.identify(TOKENS['events.write'])).toEqual({
        name: 'events-write',
        scopes: ['events.write'],
      })
    }
    expect(hashes() - before).toBe(1)
  })

  it('hashes and refuses an unknown token every time: refusals are never remembered', () => {
    const authority = new TokenAuthority(ENTRIES)
    const before = hashes()
    for (let i = 0; i < 3; i++) expect(authority.identify('not-a-token-0123456789')).toBeNull()
    expect(hashes() - before).toBe(3)
  })

  it('refuses a near miss of a remembered token (a prefix, an extra character, other case)', () => {
    const authority = new TokenAuthority(ENTRIES)
    const token = TOKENS.admin
    expect(authority.identify(token)).not.toBeNull()
    for (const guess of [token.slice(0, -1), `${token}x`, token.toUpperCase()]) {
      expect(authority.identify(guess), guess).toBeNull()
    }
  })

  it('refuses a revoked token at once when the server restarts with the new file, in the same process', async () => {
    const dir = join(tempDir(), 'store')
    await (await EventStore.open(dir, { create: true })).close()
    const path = join(dir, TOKEN_FILE_NAME)
    const kept = await addToken(path, 'kept', ['events.write'])
    const revoked = await addToken(path, 'revoked', ['events.write'])
    const start = () =>
      StoreServer.start({
        dir,
        readOnly: false,
        rendererDir: null,
        tokens: async () => (await readTokenFile(path)) ?? [],
        report: () => undefined,
      })
    const append = async (server: StoreServer, token: string) =>
      (
        await send(
          server.api.port,
          jsonRequest(token, 'POST', '/events', { event_type: 'x', aggregate_id: 'a' }),
        )
      ).status
    const first = await start()
    try {
      expect(await append(first, revoked)).toBe(201)
      expect(await append(first, revoked)).toBe(201)
    } finally {
      await first.close()
    }
    expect(await revokeToken(path, 'revoked')).toBe(true)
    const second = await start()
    try {
      expect(await append(second, revoked)).toBe(401)
      expect(await append(second, kept)).toBe(201)
    } finally {
      await second.close()
    }
  })
})
