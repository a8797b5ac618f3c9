import { once } from 'node:events'
import { join } from 'node:path'
import { StoreServer } from '../server/storeServer'
import { addToken, readTokenFile, TOKEN_FILE_NAME } from '../server/tokenFile'
import { integerOption, parseCommand } from './args'
import { EXIT, UsageError, type CliIo } from './cliIo'
import { stopOnSignals } from './stopOnSignals'

/** The port `serve` listens on unless told otherwise. */
export const SERVE_PORT_DEFAULT = 8765

/**
 * serve runs the HTTP API for one store until SIGINT or SIGTERM, then stops accepting
 * requests, lets those in flight finish (every acknowledged append is durable), closes the
 * store cleanly and exits 0. With --read-only it opens the store as a follower: it never
 * writes, and sees what another writer appends. The store is owned by a host scoped to it
 * (StoreServer), which also serves the inspector and its bridge.
 */
export async function serveCommand(args: string[], io: CliIo, stop?: AbortSignal): Promise<number> {
  const { dir, values } = parseCommand(args, {
    host: { type: 'string' },
    port: { type: 'string' },
    'token-file': { type: 'string' },
    'read-only': { type: 'boolean' },
    'allow-host': { type: 'string', multiple: true },
    'cors-origin': { type: 'string' },
  })
  const port = integerOption(values.port, 'port') ?? SERVE_PORT_DEFAULT
  if (port > 65_535) throw new UsageError(`--port must be at most 65535, got ${port}`)
  const corsOrigin = values['cors-origin'] ?? null
  if (corsOrigin !== null && !/^https?:\/\/[^/]+$/.test(corsOrigin)) {
    throw new UsageError(
      `--cors-origin must be an origin like https://host:port, got "${corsOrigin}"`,
    )
  }
  const readOnly = values['read-only'] === true
  const signals = stop ? null : stopOnSignals()
  try {
    const tokenFile = values['token-file'] ?? join(dir, TOKEN_FILE_NAME)
    const server = await StoreServer.start({
      dir,
      readOnly,
      tokens: () => loadOrCreateTokens(tokenFile, io),
      host: values.host ?? '127.0.0.1',
      port,
      allowHosts: values['allow-host'] ?? [],
      corsOrigin,
      report: (line) => io.stderr.write(`${line}\n`),
    })
    // One write: a reader that stops after the URL line never makes the second one fail.
    io.stdout.write(
      `Serving ${dir} (${readOnly ? 'read-only' : 'read-write'}) at ${server.url}\n` +
        `Open the inspector once with: ${server.loginUrl ?? ''}\n`,
    )
    const signal = stop ?? signals!.signal
    if (!signal.aborted) await once(signal, 'abort')
    io.stderr.write('serve: stopping; finishing requests in flight\n')
    await server.close()
    return EXIT.ok
  } finally {
    signals?.dispose()
  }
}

/** loadOrCreateTokens reads the token file, or creates it with one admin token shown once. */
async function loadOrCreateTokens(
  path: string,
  io: CliIo,
): Promise<NonNullable<Awaited<ReturnType<typeof readTokenFile>>>> {
  const existing = await readTokenFile(path)
  if (existing !== null) return existing
  const token = await addToken(path, 'admin', ['admin'])
  io.stdout.write(
    `Created ${path} with an admin token. It is shown only now; keep it safe:\n  ${token}\n`,
  )
  return (await readTokenFile(path))!
}
