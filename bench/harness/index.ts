/**
 * The benchmark harness (issue 8): the engine side by side with SQLite, LevelDB and the
 * physical limits, on the same demo events, with the same durability, interleaved over
 * several repetitions. Prints a markdown report (figures, pair-by-pair ratios against the
 * issue's goals, the ADR-004 table) and writes it with a JSON copy to bench/results/.
 * It asserts no timings; it fails (exit 1) when any group fails to run.
 *
 *   npm run bench                 full run (installs bench/ first when needed)
 *   npm run bench -- --quick      small smoke, no results files (CI)
 *   npm run bench -- --help       groups and sizes
 */
import * as fs from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { appendGroups } from './appendGroups'
import { BenchResults } from './benchResults'
import { adrRows, compareToGoals } from './goals'
import type { GroupName, HarnessOptions } from './harnessOptions'
import { parseHarnessOptions, USAGE } from './harnessOptions'
import { HTTP_FLOOR_CHILD_FLAG, httpFloorChild } from './httpFloor'
import { httpGroup } from './httpGroup'
import { MEMORY_CHILD_FLAG, memoryChild, memoryGroup } from './memoryGroup'
import { CRASH_CHILD_FLAG, crashChild, openGroup } from './openGroup'
import type { Peers } from './peers'
import { benchDirectory, loadPeers } from './peers'
import { queryGroup } from './queryGroup'
import type { ReadStores } from './readStores'
import { buildReadStores } from './readStores'
import { replayGroup } from './replayGroup'
import { resultsMarkdown, writeResults } from './resultsReport'
import { verifyGroup } from './verifyGroup'

/** The built harness (out/main/bench-harness.js): children are forked from it, serve is beside it. */
const harnessFile = process.argv[1]!
const cliFile = join(dirname(harnessFile), 'cli.js')

const READ_GROUPS: GroupName[] = ['query', 'replay', 'verify', 'memory', 'open']

/** main resolves with the exit code, or null for a child that serves until it is killed. */
async function main(argv: string[]): Promise<number | null> {
  if (argv[0] === CRASH_CHILD_FLAG) return crashChild(argv[1]!).then(() => 0)
  if (argv[0] === MEMORY_CHILD_FLAG) return memoryChild(argv[1]!).then(() => 0)
  if (argv[0] === HTTP_FLOOR_CHILD_FLAG) return httpFloorChild().then(() => null)
  if (argv.includes('--help')) {
    console.log(USAGE)
    return 0
  }
  const benchDir = benchDirectory(dirname(harnessFile))
  const options = parseHarnessOptions(argv, join(benchDir, 'results'))
  const peers = loadPeers(benchDir)
  const startedAt = new Date()
  const results = new BenchResults()
  const root = fs.mkdtempSync(join(tmpdir(), 'lhs-harness-'))
  let storeBuild: string | null = null
  try {
    const stores = options.groups.some((g) => READ_GROUPS.includes(g))
      ? await measured(results, 'read store build', () => buildReadStores(root, options, peers))
      : null
    if (stores) {
      storeBuild =
        `Read store: ${stores.events} events, built by the engine in ${stores.engineBuildSeconds.toFixed(1)} s ` +
        `(batches of 1000) and copied into SQLite in ${stores.sqliteBuildSeconds.toFixed(1)} s.`
    }
    for (const group of options.groups) {
      console.error(`bench: ${group}…`)
      await measured(results, group, () => runGroup(group, options, peers, stores, results))
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true })
  }
  compareToGoals(results)
  const adr = adrRows(results)
  const run = {
    command: `npm run bench${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`,
    startedAt: startedAt.toISOString(),
    minutes: (Date.now() - startedAt.getTime()) / 60_000,
    options,
    storeBuild,
  }
  console.log(resultsMarkdown(results, adr, run))
  if (options.outDir !== null) {
    console.error(`bench: wrote ${writeResults(options.outDir, results, adr, run).join(', ')}`)
  }
  return results.failures.length > 0 ? 1 : 0
}

function runGroup(
  group: GroupName,
  options: HarnessOptions,
  peers: Peers,
  stores: ReadStores | null,
  results: BenchResults,
): Promise<void> {
  if (group === 'append') return appendGroups(options, peers, results)
  if (group === 'http') return httpGroup(options, { cli: cliFile, harness: harnessFile }, results)
  if (stores === null) throw new Error(`${group} needs the read store, which was not built.`)
  if (group === 'query') return queryGroup(options, peers, stores, results)
  if (group === 'replay') return replayGroup(options, peers, stores, results)
  if (group === 'verify') return verifyGroup(options, stores, results)
  if (group === 'memory') return memoryGroup(options, harnessFile, stores, results)
  return openGroup(options, harnessFile, stores, results)
}

/**
 * measured runs one group; a group that throws is reported as a failure and the run goes
 * on, so one broken contender does not hide the others' figures.
 */
async function measured<T>(
  results: BenchResults,
  name: string,
  run: () => Promise<T>,
): Promise<T | null> {
  try {
    return await run()
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    results.failures.push(`${name}: ${message}`)
    console.error(`bench: ${name} failed:`, error)
    return null
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== null) process.exit(code)
  },
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  },
)
