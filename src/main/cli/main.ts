import { StoreError } from '../engine/errors'
import type { ErrorCode } from '../../shared/errorCodes'
import type { CliIo } from './cliIo'
import { EXIT, UsageError } from './cliIo'
import { appendCommand } from './appendCommand'
import { inspectCommand, queryCommand, recoverCommand, verifyCommand } from './readCommands'
import { tailCommand } from './tailCommand'
import { serveCommand } from './serveCommand'
import { demoCommand } from './demoCommand'
import { tokensCommand } from './tokensCommand'
import { metricsCommand } from './metricsCommand'

const USAGE = `Usage: lighthouse-store <command> DIR [options]

Commands:
  append DIR [--segment-bytes N] [--node-id ID]   append NDJSON events read from stdin
  query DIR [filters] [--limit N] [--offset N] [--order-by sequence|timestamp] [--desc]
            [--cursor C] [--explain]              NDJSON of matching events; --explain prints
                                                   the plan and next cursor on stderr
      filters: --type T... --aggregate A... --aggregate-type T... --source S... --component C...
               --correlation ID --causation ID --after-seq N --before-seq N
               --after-time ISO --before-time ISO --data-contains JSON --metadata-contains JSON
  verify DIR [--json] [--progress]                 check every record; exit 1 on damage
                                                   (--progress: a line per update on stderr)
  recover DIR [--json]                             repair damage, quarantining what is cut
  inspect DIR [--json]                             summary of the store
  metrics DIR [--json]                             Prometheus exposition of the store, once
  tail DIR [filters] [--from-seq N]                NDJSON of matching events as they are appended
                                                   (by any process), until SIGINT or SIGTERM
  serve DIR [--host H] [--port N] [--token-file F] [--read-only] [--allow-host NAME]...
            [--cors-origin ORIGIN]                 HTTP API and inspector (docs/API.md) until
                                                   SIGINT or SIGTERM; loopback by default
  demo [--data-dir D] [--port N]                  build the demo store once (in $XDG_DATA_HOME or
                                                   ~/.local/share, under lighthouse-store/) and
                                                   serve it on 127.0.0.1 like serve
  tokens DIR add NAME --scope S... | list | revoke NAME [--token-file F]
                                                   manage the tokens serve accepts

Exit codes: 0 ok, 1 damage or recovery needed, 2 usage or bad input,
            3 held by another writer, 4 not a store or an I/O error.`

const COMMANDS: Record<string, (args: string[], io: CliIo) => Promise<number>> = {
  append: appendCommand,
  query: queryCommand,
  verify: verifyCommand,
  recover: recoverCommand,
  inspect: inspectCommand,
  metrics: metricsCommand,
  tail: tailCommand,
  serve: serveCommand,
  demo: demoCommand,
  tokens: tokensCommand,
}

/** main runs one command and returns its exit code; every failure is one sentence on stderr. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${USAGE}\n`)
    return name === undefined ? EXIT.usage : EXIT.ok
  }
  const command = COMMANDS[name]
  const json = args.includes('--json')
  if (!command)
    return fail(
      io,
      json,
      'validation',
      `Unknown command "${name}". Run \`lighthouse-store --help\`.`,
      EXIT.usage,
    )
  try {
    return await command(args, io)
  } catch (error) {
    if (error instanceof UsageError) {
      return fail(
        io,
        json,
        'validation',
        `${capitalize(error.message)}. Run \`lighthouse-store --help\`.`,
        EXIT.usage,
      )
    }
    if (error instanceof StoreError)
      return fail(io, json, error.code, error.message, exitCodeFor(error.code))
    const message = error instanceof Error ? error.message : String(error)
    const io_ = typeof error === 'object' && error !== null && 'code' in error
    return fail(
      io,
      json,
      io_ ? 'io_error' : 'internal',
      `Could not complete "${name}": ${message}`,
      EXIT.notAStoreOrIo,
    )
  }
}

function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'validation':
    case 'event_too_large':
    case 'batch_too_large':
      return EXIT.usage
    case 'store_locked':
      return EXIT.locked
    case 'needs_recovery':
    case 'corruption':
    case 'read_only':
      return EXIT.damage
    default:
      return EXIT.notAStoreOrIo
  }
}

function fail(io: CliIo, json: boolean, code: ErrorCode, message: string, exit: number): number {
  io.stderr.write(`${message}\n`)
  if (json) io.stderr.write(`${JSON.stringify({ code, message })}\n`)
  return exit
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
