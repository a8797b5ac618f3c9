import type { Readable, Writable } from 'node:stream'

/** CliIo is what a command may touch, so tests can run commands in-process. */
export interface CliIo {
  stdin: Readable
  stdout: Writable
  stderr: Writable
}

/** Exit codes (DESIGN.md Contracts). */
export const EXIT = {
  ok: 0,
  damage: 1,
  usage: 2,
  locked: 3,
  notAStoreOrIo: 4,
} as const

/** UsageError is a mistake on the command line; it exits 2 with the usage hint. */
export class UsageError extends Error {}

/** writeLine writes one line and waits when the stream asks the writer to slow down. */
export async function writeLine(stream: Writable, line: string): Promise<void> {
  if (!stream.write(`${line}\n`)) await new Promise((resolve) => stream.once('drain', resolve))
}
