import { userInfo } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { AuditLog } from '../server/auditLog'
import { isScope, SCOPES, type Scope } from '../server/scopes'
import { addToken, readTokenFile, revokeToken, TOKEN_FILE_NAME } from '../server/tokenFile'
import { EXIT, UsageError, type CliIo } from './cliIo'

/**
 * tokens DIR add NAME --scope S… | list | revoke NAME [--token-file F]: manages the token
 * file `serve` reads. `add` prints the new token once; the file keeps only its hash. Every
 * change is recorded in the store's admin audit log, by the operating-system user.
 */
export async function tokensCommand(args: string[], io: CliIo): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args,
      options: {
        scope: { type: 'string', multiple: true },
        'token-file': { type: 'string' },
        json: { type: 'boolean' },
      },
      allowPositionals: true,
      strict: true,
    })
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  const [dir, action, name, ...rest] = parsed.positionals
  if (dir === undefined || action === undefined || rest.length > 0) {
    throw new UsageError(
      'expected `tokens DIR add NAME --scope S…`, `tokens DIR list` or `tokens DIR revoke NAME`',
    )
  }
  const path = parsed.values['token-file'] ?? join(dir, TOKEN_FILE_NAME)
  const audit = new AuditLog(dir, (line) => io.stderr.write(`tokens: ${line}\n`))
  const operator = `cli:${userInfo().username}`
  switch (action) {
    case 'add': {
      if (name === undefined) throw new UsageError('`tokens DIR add` needs a NAME')
      const scopes = parseScopes(parsed.values.scope ?? [])
      const token = await addToken(path, name, scopes)
      await audit.record({
        token: operator,
        action: `tokens add ${name}`,
        status: 0,
        result: `scopes ${scopes.join(',')} in ${path}`,
      })
      io.stdout.write(`${token}\n`)
      io.stderr.write(
        `Added "${name}" (${scopes.join(', ')}) to ${path}. The token is shown only now.\n`,
      )
      return EXIT.ok
    }
    case 'list': {
      const entries = (await readTokenFile(path)) ?? []
      for (const entry of entries) {
        const line = parsed.values.json
          ? JSON.stringify({ name: entry.name, scopes: entry.scopes })
          : `${entry.name}\t${entry.scopes.join(',')}`
        io.stdout.write(`${line}\n`)
      }
      return EXIT.ok
    }
    case 'revoke': {
      if (name === undefined) throw new UsageError('`tokens DIR revoke` needs a NAME')
      if (!(await revokeToken(path, name))) {
        throw new UsageError(`there is no token named "${name}" in ${path}`)
      }
      await audit.record({
        token: operator,
        action: `tokens revoke ${name}`,
        status: 0,
        result: path,
      })
      io.stderr.write(`Revoked "${name}" in ${path}.\n`)
      return EXIT.ok
    }
    default:
      throw new UsageError(`unknown tokens action "${action}" (add, list or revoke)`)
  }
}

function parseScopes(values: string[]): Scope[] {
  if (values.length === 0) throw new UsageError(`give at least one --scope (${SCOPES.join(', ')})`)
  for (const value of values) {
    if (!isScope(value))
      throw new UsageError(`--scope must be one of ${SCOPES.join(', ')}, got "${value}"`)
  }
  return values as Scope[]
}
