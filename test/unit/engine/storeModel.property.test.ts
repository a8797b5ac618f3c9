import { describe, it, vi } from 'vitest'
import fc from 'fast-check'
import { EventStore } from '../../../src/main/engine/eventStore'
import type { PowerLossOptions } from '../../support/faultFileSystem'
import { FaultFileSystem } from '../../support/faultFileSystem'
import { PowerSwitch } from '../../support/powerSwitch'
import type { Settled } from '../../support/storeModel'
import { StoreModel } from '../../support/storeModel'

// Sealing gzips on the thread pool; a synchronous stand-in keeps every interleaving, and so
// every power cut, the same for a given seed.
vi.mock('node:zlib', async (original) => {
  const { synchronousZlib } = await import('../../support/synchronousZlib')
  return synchronousZlib(await original())
})

/**
 * The store against its model, under random histories: single appends, batches, concurrent
 * appends, clean restarts, power cuts at a random call (appends in flight, optionally with
 * a torn tail), rotation into small segments and sealing. After every restart the store
 * holds exactly what the model allows, and at the end it verifies clean.
 *
 * Each run prints its seed. Replay one with SEED=<seed>; run longer with NUM_RUNS=<n>, e.g.
 *   SEED=123 NUM_RUNS=2000 npx vitest run test/unit/engine/storeModel.property.test.ts
 */
const DIR = '/data/store'
const HOST = 'test-host'
const NUM_RUNS = Number(process.env.NUM_RUNS ?? 100)
const SEED = process.env.SEED ? Number(process.env.SEED) : Math.floor(Math.random() * 2 ** 31)

/** One append: a single event or an atomic batch, with the payload size of each event. */
type AppendOp = { kind: 'single'; chars: number } | { kind: 'batch'; chars: number[] }

type Command =
  | { kind: 'append'; op: AppendOp }
  | { kind: 'concurrent'; ops: AppendOp[] }
  | { kind: 'invalid'; inBatch: boolean }
  | { kind: 'reopen'; clockBackMs: number }
  | { kind: 'idle' }
  | {
      kind: 'powerLoss'
      /** How far the wall clock steps back across the reboot. */
      clockBackMs: number
      inFlight: AppendOp[]
      /** Calls the store may make before the cut (appends, rotation, sealing). */
      afterCalls: number
      /** Percent of each unsynced tail that survives, or null for none. */
      tornPercent: number | null
    }

const chars = fc.integer({ min: 0, max: 400 })
const appendOp: fc.Arbitrary<AppendOp> = fc.oneof(
  chars.map((n) => ({ kind: 'single' as const, chars: n })),
  fc
    .array(chars, { minLength: 1, maxLength: 5 })
    .map((c) => ({ kind: 'batch' as const, chars: c })),
)
/** Mostly none; sometimes the clock steps back by up to two hours across a restart. */
const clockBackMs = fc.oneof(
  { weight: 3, arbitrary: fc.constant(0) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 2 * 60 * 60 * 1000 }) },
)
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 5, arbitrary: appendOp.map((op) => ({ kind: 'append' as const, op })) },
  {
    weight: 3,
    arbitrary: fc
      .array(appendOp, { minLength: 2, maxLength: 6 })
      .map((ops) => ({ kind: 'concurrent' as const, ops })),
  },
  { weight: 1, arbitrary: fc.boolean().map((inBatch) => ({ kind: 'invalid' as const, inBatch })) },
  {
    weight: 1,
    arbitrary: clockBackMs.map((back) => ({ kind: 'reopen' as const, clockBackMs: back })),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'idle' as const }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('powerLoss' as const),
      clockBackMs,
      inFlight: fc.array(appendOp, { maxLength: 5 }),
      // A group commit is a write and an fdatasync, so small counts land inside appends.
      afterCalls: fc.integer({ min: 0, max: 12 }),
      tornPercent: fc.oneof(fc.constant(null), fc.constant(100), fc.integer({ min: 0, max: 100 })),
    }),
  },
)
const history = fc.record({
  segmentBytesMax: fc.constantFrom(4096, 8192, 64 * 1024),
  commands: fc.array(command, { minLength: 1, maxLength: 40, size: 'medium' }),
})

/** Machine is one disk and the process currently running the store on it. */
class Machine {
  readonly model = new StoreModel()
  private disk = new FaultFileSystem({ dirs: ['/data'] })
  private power = new PowerSwitch(this.disk)
  private storeValue: EventStore | null = null
  private pid = 1000
  private ms = Date.UTC(2026, 0, 1, 12)
  private readonly nowMs = (): number => (this.ms += 1)

  constructor(private readonly segmentBytesMax: number) {}

  get store(): EventStore {
    if (!this.storeValue) throw new Error('no store is open')
    return this.storeValue
  }

  /** start opens the store as a new process; a previous writer, if any, is dead. */
  async start(): Promise<void> {
    this.power = new PowerSwitch(this.disk)
    const store = await EventStore.open(DIR, {
      fs: this.power.fs,
      create: true,
      nowMs: this.nowMs,
      hostname: HOST,
      pid: this.pid++,
      isAlive: () => false,
      segmentBytesMax: this.segmentBytesMax,
    })
    this.storeValue = store
    if (store.mode !== 'writable') {
      throw new Error(`the store opened ${store.mode}: ${store.reason ?? 'no reason given'}`)
    }
    const { events } = await this.model.checkStore(store)
    const report = store.inspect()
    if (report.event_count !== events || (report.last_sequence ?? 0) !== events) {
      throw new Error(
        `inspect says ${report.event_count} events to ${report.last_sequence}, readAll read ${events}`,
      )
    }
  }

  run(op: AppendOp): Promise<Settled> {
    if (op.kind === 'single') return this.model.append(this.store, this.model.input(op.chars))
    const inputs = op.chars.map((n) => this.model.input(n))
    return this.model.appendBatch(this.store, inputs)
  }

  async expectAcknowledged(ops: AppendOp[]): Promise<void> {
    const settled = await Promise.all(ops.map((op) => this.run(op)))
    for (const { outcome, error } of settled) {
      if (outcome !== 'acknowledged') throw new Error(`append ${outcome}: ${String(error)}`)
    }
  }

  async invalid(inBatch: boolean): Promise<void> {
    const bad = { event_type: 'agent_heartbeat', aggregate_id: '', data: {} }
    const settled = inBatch
      ? await this.model.appendBatch(this.store, [this.model.input(), bad])
      : await this.model.append(this.store, bad)
    if (settled.outcome !== 'refused') throw new Error(`an invalid append was ${settled.outcome}`)
  }

  async reopen(clockBackMs: number): Promise<void> {
    await this.store.close()
    this.ms -= clockBackMs
    await this.start()
  }

  /** idle waits for sealing, then checks the running store and that every old segment is sealed. */
  async idle(): Promise<void> {
    await this.store.idle()
    await this.model.checkStore(this.store)
    const unsealed = this.store
      .inspect()
      .segments.slice(0, -1)
      .filter((segment) => !segment.sealed)
    if (unsealed.length > 0) {
      const names = unsealed.map((segment) => segment.name).join(', ')
      throw new Error(`after idle, ${names} are not sealed (${this.store.reason ?? 'no reason'})`)
    }
  }

  async powerLoss(
    ops: AppendOp[],
    afterCalls: number,
    tornPercent: number | null,
    clockBackMs: number,
  ): Promise<void> {
    const powerLoss: PowerLossOptions =
      tornPercent === null
        ? {}
        : { tornTail: (bytes) => bytes.subarray(0, Math.floor((bytes.length * tornPercent) / 100)) }
    this.power.cutAfterCalls(afterCalls, powerLoss)
    await Promise.all(ops.map((op) => this.run(op)))
    this.disk = this.power.cut()
    this.ms -= clockBackMs
    await this.start()
  }

  async finish(): Promise<void> {
    await this.store.idle()
    await this.store.close()
    const verify = await EventStore.verify(DIR, { fs: this.disk, hostname: HOST })
    if (!verify.ok) throw new Error(`verify at the end: ${JSON.stringify(verify.files)}`)
    const reader = await EventStore.open(DIR, { fs: this.disk, access: 'read', hostname: HOST })
    await this.model.checkStore(reader)
    await reader.close()
  }
}

async function runCommand(machine: Machine, command: Command): Promise<void> {
  switch (command.kind) {
    case 'append':
      return machine.expectAcknowledged([command.op])
    case 'concurrent':
      return machine.expectAcknowledged(command.ops)
    case 'invalid':
      return machine.invalid(command.inBatch)
    case 'reopen':
      return machine.reopen(command.clockBackMs)
    case 'idle':
      return machine.idle()
    case 'powerLoss':
      return machine.powerLoss(
        command.inFlight,
        command.afterCalls,
        command.tornPercent,
        command.clockBackMs,
      )
  }
}

describe('EventStore against its model', () => {
  it(
    'after every clean or unclean restart the store holds every acknowledged event and nothing unexplained',
    async () => {
      console.log(
        `storeModel property: SEED=${SEED} NUM_RUNS=${NUM_RUNS} (replay: SEED=${SEED} npx vitest run ` +
          'test/unit/engine/storeModel.property.test.ts)',
      )
      await fc.assert(
        fc.asyncProperty(history, async ({ segmentBytesMax, commands }) => {
          const machine = new Machine(segmentBytesMax)
          await machine.start()
          for (const [index, next] of commands.entries()) {
            try {
              await runCommand(machine, next)
            } catch (error) {
              const message = `command #${index + 1} ${JSON.stringify(next)}: ${(error as Error).message}`
              throw new Error(message, { cause: error })
            }
          }
          await machine.finish()
        }),
        { seed: SEED, numRuns: NUM_RUNS },
      )
    },
    60_000 + NUM_RUNS * 500,
  )
})
