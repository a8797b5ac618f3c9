import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { AUDIT_FILE_NAME } from '../../../src/main/server/auditLog'
import { TokenAuthority } from '../../../src/main/server/tokenAuthority'
import { readTokenFile, TOKEN_FILE_NAME } from '../../../src/main/server/tokenFile'
import { runCli } from '../../support/runCli'
import { tempDir } from '../../support/tempDir'

describe('lighthouse-store tokens', () => {
  it('adds a token shown once, lists names and scopes only, revokes it, and audits each change', async () => {
    const dir = tempDir()
    const added = await runCli(['tokens', dir, 'add', 'scraper', '--scope', 'metrics'])
    expect(added.code).toBe(0)
    const token = added.stdout.trim()
    expect(token).toMatch(/^lhs_/)
    const entries = (await readTokenFile(join(dir, TOKEN_FILE_NAME)))!
    expect(new TokenAuthority(entries).identify(token)).toEqual({
      name: 'scraper',
      scopes: ['metrics'],
    })

    const listed = await runCli(['tokens', dir, 'list', '--json'])
    expect(listed.lines).toEqual([{ name: 'scraper', scopes: ['metrics'] }])
    expect(listed.stdout).not.toContain(token)

    expect((await runCli(['tokens', dir, 'revoke', 'scraper'])).code).toBe(0)
    expect(await readTokenFile(join(dir, TOKEN_FILE_NAME))).toEqual([])

    const audit = readFileSync(join(dir, AUDIT_FILE_NAME), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { token: string; action: string })
    expect(audit.map((record) => record.action)).toEqual([
      'tokens add scraper',
      'tokens revoke scraper',
    ])
    expect(audit.every((record) => record.token.startsWith('cli:'))).toBe(true)
    expect(readFileSync(join(dir, AUDIT_FILE_NAME), 'utf8')).not.toContain(token)
  })

  it.each([
    [['tokens'], /Expected `tokens DIR add NAME/],
    [['tokens', '/tmp/x', 'add', 'n'], /Give at least one --scope/],
    [['tokens', '/tmp/x', 'add', 'n', '--scope', 'root'], /--scope must be one of/],
    [['tokens', '/tmp/x', 'rotate'], /Unknown tokens action "rotate"/],
  ])('refuses %j with exit 2 and a sentence', async (argv, message) => {
    const run = await runCli(argv)
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(message)
  })

  it('says when there is no token to revoke', async () => {
    const run = await runCli(['tokens', tempDir(), 'revoke', 'ghost'])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/no token named "ghost"/)
  })
})
