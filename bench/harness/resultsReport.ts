import * as fs from 'node:fs'
import * as os from 'node:os'
import { join } from 'node:path'
import { spread } from '../stats'
import type { BenchResults } from './benchResults'
import type { AdrRow } from './goals'
import { format } from './goals'
import type { HarnessOptions } from './harnessOptions'

/** RunInfo says what produced the results: the command, the sizes, the machine. */
export interface RunInfo {
  command: string
  startedAt: string
  minutes: number
  options: HarnessOptions
  storeBuild: string | null
}

/** resultsMarkdown renders the run as tables: figures by group, comparisons, the ADR table. */
export function resultsMarkdown(results: BenchResults, adr: AdrRow[], run: RunInfo): string {
  const { options } = run
  const lines = [
    `# Benchmark ${run.startedAt.slice(0, 10)}`,
    '',
    `Command: \`${run.command}\` (${run.minutes.toFixed(1)} min).`,
    `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()}. ` +
      'A shared VM: figures are noisy; compare only figures of one run, as ratios.',
    `Sizes: ${options.rounds} repetitions (${options.scanRounds} for replay, verify, open, memory, HTTP); ` +
      `single ${options.singleEvents}, concurrent ${options.concurrentEvents}, batch ${options.batchEvents}, ` +
      `HTTP ${options.httpEvents} events per repetition; read store ${options.storeEvents} events ` +
      `in ${options.segmentMib} MiB segments; ${options.gets} gets.`,
    ...(run.storeBuild ? [run.storeBuild] : []),
    '',
    'Medians of the repetitions (min – max). Every contender is durable before it acknowledges.',
  ]
  for (const group of [...new Set(results.figures.map((f) => f.group))]) {
    const figures = results.figures.filter((f) => f.group === group)
    const metrics = [...new Set(figures.map((f) => `${f.metric}|${f.unit}`))]
    lines.push(
      '',
      `### ${group}`,
      '',
      `| contender | ${metrics.map((m) => m.replace('|', ', ')).join(' | ')} |`,
      `|---|${metrics.map(() => '---:').join('|')}|`,
    )
    for (const contender of [...new Set(figures.map((f) => f.contender))]) {
      const cells = metrics.map((key) => {
        const f = figures.find((g) => g.contender === contender && `${g.metric}|${g.unit}` === key)
        if (!f) return ''
        const s = spread(f.samples)
        return `${format(s.median)} (${format(s.min)} – ${format(s.max)})`
      })
      lines.push(`| ${contender} | ${cells.join(' | ')} |`)
    }
  }
  lines.push(
    '',
    '## Ratios (pair by pair within each repetition; above 1: the first named did better)',
    '',
    '| comparison | median | min – max | goal |',
    '|---|---:|---:|---|',
  )
  for (const c of results.comparisons) {
    const goal =
      c.goalMin === null
        ? ''
        : `>= ${c.goalMin}x: ${c.ratio.median >= c.goalMin ? 'met' : 'missed'}`
    lines.push(
      `| ${c.label} | ${c.ratio.median.toFixed(2)}x | ${c.ratio.min.toFixed(2)} – ${c.ratio.max.toFixed(2)} | ${goal} |`,
    )
  }
  lines.push(
    '',
    '## ADR-004 targets',
    '',
    '| operation | ADR-004 target | measured (median) | pass | original Python |',
    '|---|---|---:|---|---|',
  )
  for (const row of adr) {
    const pass = row.pass === null ? '—' : row.pass ? 'pass' : 'FAIL'
    lines.push(`| ${row.operation} | ${row.target} | ${row.measured} | ${pass} | ${row.python} |`)
  }
  if (results.notes.length > 0) lines.push('', ...results.notes.map((note) => `- ${note}`))
  if (results.failures.length > 0) {
    lines.push('', '## Failures', '', ...results.failures.map((f) => `- ${f}`))
  }
  return `${lines.join('\n')}\n`
}

/** writeResults writes <dir>/<date>.json and <date>.md and returns their paths. */
export function writeResults(
  dir: string,
  results: BenchResults,
  adr: AdrRow[],
  run: RunInfo,
): string[] {
  fs.mkdirSync(dir, { recursive: true })
  const base = join(dir, run.startedAt.slice(0, 10))
  const json = {
    ...run,
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model,
      memoryBytes: os.totalmem(),
      node: process.version,
      platform: os.platform(),
    },
    figures: results.figures.map((f) => ({ ...f, ...spread(f.samples) })),
    comparisons: results.comparisons,
    adr,
    notes: results.notes,
    failures: results.failures,
  }
  fs.writeFileSync(`${base}.json`, `${JSON.stringify(json, null, 2)}\n`)
  fs.writeFileSync(`${base}.md`, resultsMarkdown(results, adr, run))
  return [`${base}.json`, `${base}.md`]
}
