import { PassThrough } from 'node:stream'
import { main } from '../../src/main/cli/main'

export interface CliRun {
  code: number
  stdout: string
  stderr: string
  lines: unknown[]
}

/** runCli runs one command in-process with `stdin` as its input. */
export async function runCli(argv: string[], stdin = ''): Promise<CliRun> {
  const input = new PassThrough()
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  const out: Buffer[] = []
  const err: Buffer[] = []
  stdout.on('data', (chunk: Buffer) => out.push(chunk))
  stderr.on('data', (chunk: Buffer) => err.push(chunk))
  input.end(stdin)
  const code = await main(argv, { stdin: input, stdout, stderr })
  const text = Buffer.concat(out).toString('utf8')
  const lines = text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as unknown)
  return { code, stdout: text, stderr: Buffer.concat(err).toString('utf8'), lines }
}
