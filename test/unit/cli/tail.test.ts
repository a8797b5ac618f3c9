import { spawn } from 'node:child_process'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync } from 'node:fs'
import { PassThrough } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { EventStore } from '../../../src/main/engine/eventStore'
import { tailCommand } from '../../../src/main/cli/tailCommand'
import type { StoredEvent } from '../../../src/shared/event'
import { runCli } from '../../support/runCli'
import { tempDir } from '../../support/tempDir'

/**
 * `tail DIR [filters] [--from-seq N]`: NDJSON of matching events as they are appended, by
 * this process or another, until SIGINT or SIGTERM. In-process runs stop it with an
 * AbortSignal; the process tests use the built CLI (`npm test` builds it) and kill it.
 */
const CLI = fileURLToPath(new URL('../../../out/main/cli.js', import.meta.url))

const children = new Set<ChildProcessWithoutNullStreams>()
afterAll(() => {
  for (const child of children) child.kill('SIGKILL')
})

const event = (i: number) => ({
  event_type: i % 2 === 0 ? 'command_received' : 'agent_heartbeat',
  aggregate_id: `agent-${i % 3}`,
  data: { i },
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function until(what: string, predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now()
  while (!predicate()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting until ${what}`)
    await sleep(2)
  }
}

/** LineCollector gathers complete NDJSON lines written to a stream. */
class LineCollector {
  readonly events: StoredEvent[] = []
  private partial = ''
  add(chunk: Buffer | string): void {
    const lines = (this.partial + chunk.toString()).split('\n')
    this.partial = lines.pop()!
    for (const line of lines) this.events.push(JSON.parse(line) as StoredEvent)
  }
  get sequences(): number[] {
    return this.events.map((e) => e.sequence)
  }
}

describe('tail (in process)', () => {
  it('prints the stored matches from --from-seq, then new matches as they are appended, until stopped', async () => {
    const dir = `${tempDir()}/store`
    const writer = await EventStore.open(dir, { create: true })
    for (let i = 1; i <= 10; i++) await writer.append(event(i))
    const stdout = new PassThrough()
    const stderr = new PassThrough()
    const out = new LineCollector()
    stdout.on('data', (chunk: Buffer) => out.add(chunk))
    const stop = new AbortController()
    const running = tailCommand(
      [
        dir,
        '--from-seq',
        '3',
        '--type',
        'command_received',
        '--aggregate',
        'agent-1',
        '--aggregate',
        'agent-2',
      ],
      { stdin: new PassThrough(), stdout, stderr },
      stop.signal,
    )
    const matches = (i: number) => i % 2 === 0 && i % 3 !== 0
    const wanted = (last: number) =>
      Array.from({ length: last }, (_, k) => k + 1).filter((i) => i >= 3 && matches(i))
    await until('the stored matches', () => out.sequences.length === wanted(10).length)
    for (let i = 11; i <= 30; i++) await writer.append(event(i))
    await until('the new matches', () => out.sequences.length === wanted(30).length)
    stop.abort()
    expect(await running).toBe(0)
    expect(out.sequences).toEqual(wanted(30))
    expect(out.events[0]).toMatchObject({ event_type: 'command_received', data: { i: 4 } })
    // A reader never writes: tail left the store as the writer made it.
    expect(readdirSync(dir).some((n) => n.includes('consumers'))).toBe(false)
    await writer.close()
  })

  it('without --from-seq it starts with the next new event', async () => {
    const dir = `${tempDir()}/store`
    const writer = await EventStore.open(dir, { create: true })
    for (let i = 1; i <= 5; i++) await writer.append(event(i))
    const stdout = new PassThrough()
    const out = new LineCollector()
    stdout.on('data', (chunk: Buffer) => out.add(chunk))
    const stop = new AbortController()
    const running = tailCommand(
      [dir],
      { stdin: new PassThrough(), stdout, stderr: new PassThrough() },
      stop.signal,
    )
    await sleep(100)
    await writer.append(event(6))
    await until('event 6', () => out.sequences.length === 1)
    stop.abort()
    expect(await running).toBe(0)
    expect(out.sequences).toEqual([6])
    await writer.close()
  })

  it.each([
    [['tail'], 2, /Expected one store directory/],
    [['tail', 'DIR', '--from-seq', '0'], 2, /--from-seq must be a whole number of at least 1/],
    [['tail', 'DIR', '--from-seq', 'x'], 2, /--from-seq must be a whole number/],
    [['tail', 'DIR', '--bogus'], 2, /Unknown option/],
  ])('%j exits %i with one sentence', async (argv, code, message) => {
    const result = await runCli(argv)
    expect(result.code).toBe(code)
    expect(result.stderr).toMatch(message)
  })

  it('refuses a directory that is not a store (exit 4)', async () => {
    const dir = tempDir()
    mkdirSync(`${dir}/empty`)
    const result = await runCli(['tail', `${dir}/empty`])
    expect(result.code).toBe(4)
    expect(result.stderr).toMatch(/is not a Lighthouse store/)
  })

  it('is listed in --help', async () => {
    const result = await runCli(['--help'])
    expect(result.stdout).toMatch(/tail DIR \[filters\] \[--from-seq N\]/)
  })
})

describe('tail (processes)', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'follows another process appending, prints NDJSON, and stops cleanly on %s',
    async (signal) => {
      if (!existsSync(CLI)) {
        throw new Error(`${CLI} is missing: run \`npm run build\` first (\`npm test\` builds it).`)
      }
      const dir = `${tempDir()}/store`
      const appender = spawn(process.execPath, [CLI, 'append', dir, '--segment-bytes', '4096'])
      children.add(appender)
      let acks = 0
      appender.stdout
        .setEncoding('utf8')
        .on('data', (chunk: string) => (acks += chunk.split('\n').length - 1))
      appender.stdin.write(`${JSON.stringify(event(1))}\n`)
      await until('the store exists', () => acks === 1)
      const tail = spawn(process.execPath, [
        CLI,
        'tail',
        dir,
        '--from-seq',
        '1',
        '--type',
        'command_received',
      ])
      children.add(tail)
      const out = new LineCollector()
      let stderr = ''
      tail.stdout.on('data', (chunk: Buffer) => out.add(chunk))
      tail.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
      const exited = new Promise<[number | null, string | null]>((resolve) =>
        tail.once('close', (code, sig) => resolve([code, sig])),
      )
      for (let i = 2; i <= 60; i++) appender.stdin.write(`${JSON.stringify(event(i))}\n`)
      await until('every command_received printed', () => out.sequences.length === 30)
      tail.kill(signal)
      const [code, killedBy] = await exited
      children.delete(tail)
      expect({ code, killedBy, stderr }).toEqual({ code: 0, killedBy: null, stderr: '' })
      expect(out.sequences).toEqual(Array.from({ length: 30 }, (_, k) => 2 * (k + 1)))
      appender.stdin.end()
      await new Promise((resolve) => appender.once('close', resolve))
      children.delete(appender)
    },
  )
})
