import { describe, expect, it } from 'vitest'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { EventStore } from '../../../src/main/engine/eventStore'
import { runCli } from '../../support/runCli'
import { tempDir } from '../../support/tempDir'

const line = (type: string, aggregate: string, extra = '') =>
  `{"event_type":"${type}","aggregate_id":"${aggregate}"${extra}}\n`

describe('lighthouse-store CLI', () => {
  it('append creates a missing store and acknowledges each event in order', async () => {
    const dir = `${tempDir()}/new-store`
    const run = await runCli(
      ['append', dir, '--node-id', 'cli_node'],
      line('a', 'x') + line('b', 'y'),
    )
    expect(run.code).toBe(0)
    expect(run.lines).toEqual([
      { sequence: 1, event_id: expect.stringMatching(/^\d+_1_cli_node$/) as unknown },
      { sequence: 2, event_id: expect.stringMatching(/^\d+_2_cli_node$/) as unknown },
    ])
    expect(existsSync(`${dir}/store.json`)).toBe(true)
  })

  it('on a bad line, stores the lines before it, then exits 2 naming the line and field', async () => {
    const dir = `${tempDir()}/store`
    const input = line('a', 'x') + line('b', 'y') + '{"event_type":"c"}\n' + line('d', 'z')
    const run = await runCli(['append', dir], input)
    expect(run.code).toBe(2)
    expect(run.lines.map((l) => (l as { sequence: number }).sequence)).toEqual([1, 2])
    expect(run.stderr.trim()).toBe('line 3: aggregate_id is required')
    const store = await EventStore.open(dir, { access: 'read' })
    expect(store.inspect().event_count).toBe(2)
    await store.close()
  })

  it('reports a line that is not JSON, and prints JSON with a code when --json is given', async () => {
    const run = await runCli(['append', `${tempDir()}/store`, '--json'], line('a', 'x') + 'nope\n')
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('line 2 is not valid JSON')
    expect(JSON.parse(run.stderr.trim().split('\n').at(-1)!)).toMatchObject({ code: 'validation' })
  })

  it('refuses a directory that is not a store with exit 4, for every read command', async () => {
    const dir = tempDir()
    writeFileSync(`${dir}/notes.txt`, 'hello')
    for (const command of ['query', 'verify', 'inspect', 'recover']) {
      const run = await runCli([command, dir])
      expect(run.code, command).toBe(4)
      expect(run.stderr).toMatch(/is not a Lighthouse store/)
    }
    const append = await runCli(['append', dir], line('a', 'x'))
    expect(append.code).toBe(4)
  })

  it('exits 3 when another writer holds the store', async () => {
    const dir = `${tempDir()}/store`
    const writer = await EventStore.open(dir, { create: true })
    const run = await runCli(['append', dir], line('a', 'x'))
    expect(run.code).toBe(3)
    expect(run.stderr).toContain(`pid ${process.pid}`)
    await writer.close()
  })

  it('exits 2 with a usage sentence for unknown commands and bad options', async () => {
    expect((await runCli(['frobnicate'])).code).toBe(2)
    const bad = await runCli(['query', tempDir(), '--limit', 'many'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--limit must be a whole number')
    expect((await runCli(['query'])).stderr).toContain('Expected one store directory')
  })

  it('query filters by type and aggregate, bounds exclusively, and pages newest first with --desc', async () => {
    const dir = `${tempDir()}/store`
    const input = [1, 2, 3, 4, 5, 6]
      .map((i) => line(i % 2 ? 'odd' : 'even', `agg-${i % 3}`))
      .join('')
    await runCli(['append', dir], input)
    const seqs = async (...args: string[]) =>
      (await runCli(['query', dir, ...args])).lines.map((l) => (l as { sequence: number }).sequence)
    expect(await seqs('--type', 'odd')).toEqual([1, 3, 5])
    expect(await seqs('--aggregate', 'agg-0', '--aggregate', 'agg-1')).toEqual([1, 3, 4, 6])
    expect(await seqs('--after-seq', '2', '--before-seq', '5')).toEqual([3, 4])
    expect(await seqs('--desc', '--limit', '2')).toEqual([6, 5])
    const full = (await runCli(['query', dir, '--limit', '1'])).lines[0]
    expect(Object.keys(full as object).sort()).toEqual(
      [
        'aggregate_id',
        'aggregate_type',
        'causation_id',
        'correlation_id',
        'data',
        'event_id',
        'event_type',
        'metadata',
        'schema_version',
        'sequence',
        'source_agent',
        'source_component',
        'timestamp',
      ].sort(),
    )
  })

  it('query filters by data, orders by timestamp, and explains its plan on stderr', async () => {
    const dir = `${tempDir()}/store`
    const at = (minute: number) => `"timestamp":"2026-01-01T00:0${minute}:00.000Z"`
    const input =
      line('a', 'x', `,${at(3)},"data":{"status":"ok","tags":["t1","t2"]}`) +
      line('a', 'y', `,${at(1)},"data":{"status":"failed"}`) +
      line('b', 'x', `,${at(2)},"data":{"status":"ok"}`)
    await runCli(['append', dir], input)
    const ok = await runCli([
      'query',
      dir,
      '--data-contains',
      '{"status":"ok"}',
      '--order-by',
      'timestamp',
    ])
    expect(ok.lines.map((l) => (l as { sequence: number }).sequence)).toEqual([3, 1])
    const tagged = await runCli(['query', dir, '--data-contains', '{"tags":["t2"]}', '--explain'])
    expect(tagged.lines.map((l) => (l as { sequence: number }).sequence)).toEqual([1])
    expect(JSON.parse(tagged.stderr)).toMatchObject({
      total_count: 1,
      has_more: false,
      next_cursor: null,
      plan: { segments_total: 1, segments_read: 1, events_scanned: 3 },
    })
    const bad = await runCli(['query', dir, '--data-contains', '{status'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--data-contains must be JSON')
  })

  it('inspect, verify and recover print the contract JSON shapes', async () => {
    const dir = `${tempDir()}/store`
    await runCli(['append', dir], line('a', 'x') + line('b', 'y'))
    const inspect = (await runCli(['inspect', dir, '--json'])).lines[0]
    expect(inspect).toMatchObject({
      mode: 'read_only',
      sla_level: 'NORMAL',
      first_sequence: 1,
      last_sequence: 2,
      event_count: 2,
      bytes: expect.any(Number) as unknown,
      segments: [
        {
          name: 'segment-0000000001.log',
          sealed: false,
          first_sequence: 1,
          last_sequence: 2,
          records: 2,
          bytes: expect.any(Number) as unknown,
        },
      ],
    })
    const verify = await runCli(['verify', dir, '--json'])
    expect(verify.code).toBe(0)
    expect(verify.lines[0]).toEqual({
      ok: true,
      files: [
        {
          name: 'segment-0000000001.log',
          status: 'ok',
          records: 2,
          first_sequence: 1,
          last_sequence: 2,
          problems: [],
        },
      ],
    })
    const recover = await runCli(['recover', dir, '--json'])
    expect(recover.code).toBe(0)
    expect(recover.lines[0]).toMatchObject({
      ok: true,
      started_at: expect.any(String) as unknown,
      finished_at: expect.any(String) as unknown,
      actions: [],
    })
  })

  it('read-only commands never modify the store, even with a torn tail', async () => {
    const dir = `${tempDir()}/store`
    await runCli(['append', dir], line('a', 'x'))
    writeFileSync(`${dir}/segment-0000000001.log`, 'LHEV', { flag: 'a' })
    const { readdirSync, statSync } = await import('node:fs')
    const before = readdirSync(dir).map((name) => [name, statSync(`${dir}/${name}`).size])
    const verify = await runCli(['verify', dir, '--json'])
    expect(verify.code).toBe(1)
    expect((verify.lines[0] as { files: { status: string }[] }).files[0]!.status).toBe('torn')
    await runCli(['query', dir])
    await runCli(['inspect', dir])
    expect(readdirSync(dir).map((name) => [name, statSync(`${dir}/${name}`).size])).toEqual(before)
  })

  it('append refuses a non-empty directory that is not a store', async () => {
    const dir = tempDir()
    mkdirSync(`${dir}/x`)
    const run = await runCli(['append', dir], line('a', 'b'))
    expect(run.code).toBe(4)
    expect(run.stderr).toMatch(/is not a Lighthouse store: it has no store.json/)
  })
})
