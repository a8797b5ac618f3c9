import type { EventInput, JsonValue } from '../../shared/event'
import { mulberry32 } from './seededRandom'

/**
 * DemoEvents makes a realistic stream of the original Lighthouse system's events: agents
 * that register, send heartbeats and sometimes disconnect; commands that are received,
 * validated, then executed or failed, each chain sharing a correlation id, each step
 * naming the step that caused it; device shadows created and updated by executed
 * commands; now and then a snapshot or a degradation and its recovery. Payloads are about
 * 200 to 800 bytes. The same seed always gives the same events (timestamps included when
 * `startMs` is given), so the demo store, the load generator and benchmarks agree.
 *
 * Causation ids name the causing step's `metadata.message_id`: event ids are assigned by
 * the store at append, so a generator that works ahead of the store cannot know them.
 */
export interface DemoEventsOptions {
  seed: number
  /** Event time of the first event; later ones follow at 5 to 1500 ms. Default: no timestamp (the store's clock). */
  startMs?: number
}

const AGENTS = ['atlas', 'borealis', 'cygnus', 'draco', 'eridanus', 'fornax', 'gemini', 'hydra']
const COMMANDS = ['read_file', 'write_file', 'run_tests', 'search_code', 'apply_patch', 'list_dir']
const FAILURES = ['timeout', 'permission_denied', 'validation_failed', 'resource_exhausted']
const WORDS = [
  'ok',
  'collected',
  'passed',
  'module',
  'warning',
  'cache',
  'hit',
  'build',
  'sync',
  'done',
]
/** Command chains open at once: their steps interleave in the stream like real traffic. */
const OPEN_CHAINS_MAX = 6

interface Chain {
  correlationId: string
  agent: string
  command: string
  step: 'received' | 'validated' | 'finished'
  lastMessageId: string
}

export class DemoEvents {
  private readonly random: () => number
  private clockMs: number | null
  private count = 0
  private readonly chains: Chain[] = []
  private readonly shadowVersions = new Map<string, number>()
  private readonly pending: EventInput[] = []

  constructor(options: DemoEventsOptions) {
    this.random = mulberry32(options.seed)
    this.clockMs = options.startMs ?? null
    this.pending.push(
      this.make('system_started', 'lighthouse', 'system', {
        version: '1.1.0',
        agents: AGENTS.length,
      }),
    )
    for (const agent of AGENTS) this.pending.push(...this.register(agent))
  }

  /** take returns the next `count` events. */
  take(count: number): EventInput[] {
    return Array.from({ length: count }, () => this.next())
  }

  next(): EventInput {
    // A step may queue what it caused (a shadow update after a write): that comes after it.
    if (this.pending.length === 0) this.pending.unshift(...this.step())
    return this.pending.shift()!
  }

  private step(): EventInput[] {
    const roll = this.random()
    if (roll < 0.45) return [this.advanceChain()]
    if (roll < 0.75) return [this.heartbeat(this.pick(AGENTS))]
    if (roll < 0.9) return [this.shadowUpdate(this.pick(AGENTS), null)]
    if (roll < 0.95) return this.reconnect(this.pick(AGENTS))
    if (roll < 0.99) return [this.snapshot()]
    return this.degradation()
  }

  private advanceChain(): EventInput {
    if (this.chains.length < OPEN_CHAINS_MAX && (this.chains.length === 0 || this.random() < 0.4)) {
      return this.receive()
    }
    const index = Math.floor(this.random() * this.chains.length)
    const chain = this.chains[index]!
    if (chain.step === 'received') {
      chain.step = 'validated'
      return this.chainEvent(chain, 'command_validated', {
        rules_checked: ['schema', 'rate_limit', 'scope', 'path_allow_list'],
        validation_ms: this.int(1, 40),
        sandbox: this.pick(['strict', 'standard']),
      })
    }
    this.chains.splice(index, 1)
    if (this.random() < 0.12) {
      return this.chainEvent(chain, 'command_failed', {
        error_type: this.pick(FAILURES),
        message: `${chain.command} did not complete on ${chain.agent}: ${this.words(8)}`,
        retryable: this.random() < 0.5,
        attempt: this.int(1, 3),
      })
    }
    return this.chainEvent(chain, 'command_executed', {
      exit_code: 0,
      duration_ms: this.int(3, 4000),
      output_excerpt: this.words(this.int(10, 45)),
      files_touched: this.int(0, 12),
    })
  }

  private receive(): EventInput {
    const agent = this.pick(AGENTS)
    const command = this.pick(COMMANDS)
    const chain: Chain = {
      correlationId: `corr-${(this.count + 1).toString(36).padStart(6, '0')}`,
      agent,
      command,
      step: 'received',
      lastMessageId: '',
    }
    this.chains.push(chain)
    return this.chainEvent(chain, 'command_received', {
      command,
      args: {
        path: `/workspace/${this.pick(['api', 'core', 'web', 'tools'])}/src/module_${this.int(1, 40)}.py`,
        recursive: this.random() < 0.3,
        timeout_s: this.int(5, 120),
      },
      priority: this.pick(['low', 'normal', 'high']),
      requested_by: `user-${this.int(1, 25)}`,
    })
  }

  private chainEvent(chain: Chain, type: string, data: { [key: string]: JsonValue }): EventInput {
    const event = this.make(type, `cmd-${chain.correlationId.slice(5)}`, 'command', {
      ...data,
      agent: `agent-${chain.agent}`,
    })
    event.correlation_id = chain.correlationId
    event.causation_id = chain.lastMessageId || null
    event.source_agent = `agent-${chain.agent}`
    chain.lastMessageId = messageIdOf(event)
    if (type === 'command_executed' && chain.command.startsWith('write')) {
      this.pending.push(this.shadowUpdate(chain.agent, chain))
    }
    return event
  }

  private register(agent: string): EventInput[] {
    this.shadowVersions.set(agent, 1)
    return [
      this.make('agent_registered', `agent-${agent}`, 'agent', {
        hostname: `edge-${agent}.lab.internal`,
        capabilities: ['fs', 'exec', 'search'].slice(0, this.int(1, 3)),
        version: `2.${this.int(0, 9)}.${this.int(0, 20)}`,
      }),
      this.make('shadow_created', `shadow-${agent}`, 'shadow', {
        desired: { mode: 'active', log_level: 'info' },
        reported: { mode: 'active', log_level: 'info' },
        version: 1,
      }),
    ]
  }

  private reconnect(agent: string): EventInput[] {
    const left = this.make('agent_disconnected', `agent-${agent}`, 'agent', {
      reason: this.pick(['network_timeout', 'shutdown', 'heartbeat_missed']),
      last_seen_ms: this.int(1000, 90_000),
    })
    return [left, ...this.register(agent).slice(0, 1)]
  }

  private heartbeat(agent: string): EventInput {
    return this.make('agent_heartbeat', `agent-${agent}`, 'agent', {
      cpu_percent: this.int(1, 99),
      memory_mb: this.int(120, 4000),
      queue_depth: this.int(0, 30),
      uptime_s: this.int(60, 900_000),
      load: [this.random(), this.random(), this.random()].map((n) => Math.round(n * 400) / 100),
    })
  }

  private shadowUpdate(agent: string, cause: Chain | null): EventInput {
    const version = (this.shadowVersions.get(agent) ?? 0) + 1
    this.shadowVersions.set(agent, version)
    const event = this.make('shadow_updated', `shadow-${agent}`, 'shadow', {
      desired: { mode: this.pick(['active', 'draining']), log_level: this.pick(['info', 'debug']) },
      reported: { mode: 'active', temperature_c: this.int(30, 80), disk_free_gb: this.int(2, 400) },
      version,
    })
    if (cause) {
      event.correlation_id = cause.correlationId
      event.causation_id = cause.lastMessageId
    }
    return event
  }

  private snapshot(): EventInput {
    return this.make('snapshot_created', `snapshot-${this.count}`, 'snapshot', {
      aggregates: AGENTS.length * 2,
      bytes: this.int(10_000, 900_000),
      through_message: this.count,
    })
  }

  private degradation(): EventInput[] {
    const triggered = this.make('degradation_triggered', 'lighthouse', 'system', {
      trigger: 'append_p99_ms',
      observed: this.int(101, 900),
      threshold: 100,
    })
    const recovered = this.make('recovery_completed', 'lighthouse', 'system', {
      duration_ms: this.int(5000, 60_000),
    })
    recovered.correlation_id = triggered.correlation_id = `corr-degr-${this.count}`
    recovered.causation_id = messageIdOf(triggered)
    return [triggered, recovered]
  }

  private make(
    type: string,
    aggregateId: string,
    aggregateType: string,
    data: { [key: string]: JsonValue },
  ): EventInput {
    this.count++
    const event: EventInput = {
      event_type: type,
      aggregate_id: aggregateId,
      aggregate_type: aggregateType,
      data,
      metadata: {
        message_id: `msg-${this.count.toString(36).padStart(7, '0')}`,
        trace_id: this.hex(16),
        region: this.pick(['eu-west-1', 'us-east-2', 'ap-south-1']),
      },
      source_component: aggregateType === 'command' ? 'command-bus' : `${aggregateType}-service`,
    }
    if (this.clockMs !== null) {
      this.clockMs += this.int(5, 1500)
      event.timestamp = new Date(this.clockMs).toISOString()
    }
    return event
  }

  private pick<T>(choices: readonly T[]): T {
    return choices[Math.floor(this.random() * choices.length)]!
  }

  private int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1))
  }

  private words(count: number): string {
    return Array.from({ length: count }, () => this.pick(WORDS)).join(' ')
  }

  private hex(digits: number): string {
    return Array.from({ length: digits }, () => this.int(0, 15).toString(16)).join('')
  }
}

function messageIdOf(event: EventInput): string {
  const id = event.metadata?.message_id
  return typeof id === 'string' ? id : ''
}
