import { parseArgs } from 'node:util'

/** The groups of the harness, in the order they run. */
export const GROUPS = ['append', 'query', 'replay', 'verify', 'memory', 'open', 'http'] as const
export type GroupName = (typeof GROUPS)[number]

/** HarnessOptions are the sizes of one run; every size is a flag and is printed with the results. */
export interface HarnessOptions {
  quick: boolean
  /** Repetitions of the append and query groups. */
  rounds: number
  /** Repetitions of the groups that read the whole store (replay, open, verify). */
  scanRounds: number
  singleEvents: number
  concurrentEvents: number
  batchEvents: number
  httpEvents: number
  /** Events in the store the read groups use (built once per run). */
  storeEvents: number
  segmentMib: number
  gets: number
  groups: GroupName[]
  /** Where results/<date>.{json,md} go; none in --quick unless given. */
  outDir: string | null
}

const FULL = {
  rounds: 5,
  scanRounds: 3,
  singleEvents: 2000,
  concurrentEvents: 10_000,
  batchEvents: 50_000,
  httpEvents: 20_000,
  storeEvents: 1_000_000,
  segmentMib: 16,
  gets: 2000,
}

const QUICK: typeof FULL = {
  rounds: 2,
  scanRounds: 2,
  singleEvents: 40,
  concurrentEvents: 640,
  batchEvents: 1000,
  httpEvents: 640,
  storeEvents: 6000,
  segmentMib: 1,
  gets: 50,
}

const SIZE_FLAGS = Object.keys(FULL) as (keyof typeof FULL)[]

export const USAGE = `usage: npm run bench -- [--quick] [--only GROUP,...] [--out DIR] [--SIZE N ...]
  groups: ${GROUPS.join(', ')}
  sizes (full / quick): ${SIZE_FLAGS.map((k) => `--${kebab(k)} ${FULL[k]}/${QUICK[k]}`).join(', ')}`

export function parseHarnessOptions(argv: string[], defaultOutDir: string): HarnessOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean' },
      only: { type: 'string' },
      out: { type: 'string' },
      ...Object.fromEntries(SIZE_FLAGS.map((k) => [kebab(k), { type: 'string' as const }])),
    },
  })
  const quick = values.quick === true
  const sizes = { ...(quick ? QUICK : FULL) }
  for (const key of SIZE_FLAGS) {
    const given = (values as Record<string, unknown>)[kebab(key)]
    if (typeof given !== 'string') continue
    if (!/^[1-9]\d*$/.test(given)) throw new Error(`--${kebab(key)} must be a positive integer.`)
    sizes[key] = Number(given)
  }
  const only = typeof values.only === 'string' ? values.only.split(',') : [...GROUPS]
  const unknown = only.filter((name) => !(GROUPS as readonly string[]).includes(name))
  if (unknown.length > 0) throw new Error(`Unknown group ${unknown.join(', ')}.\n${USAGE}`)
  const out = typeof values.out === 'string' ? values.out : null
  return {
    quick,
    ...sizes,
    groups: GROUPS.filter((name) => only.includes(name)),
    outDir: out ?? (quick ? null : defaultOutDir),
  }
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
}
