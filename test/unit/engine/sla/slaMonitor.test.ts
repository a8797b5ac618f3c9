import { describe, expect, it } from 'vitest'
import { TRIGGER_NAMES, type SlaLevel, type TriggerName } from '../../../../src/shared/sla'
import { StoreError, ValidationError } from '../../../../src/main/engine/errors'
import {
  SLA_ACTIVATION_MS_MAX,
  SLA_EVALUATE_INTERVAL_MS,
  SLA_HOLD_MS_MAX,
  SLA_TRANSITIONS_KEPT_MAX,
} from '../../../../src/main/engine/limits'
import { diskUsage } from '../../../../src/main/engine/sla/diskSpace'
import {
  SLA_CLEAR_MS_DEFAULT,
  SLA_HOLD_MS_DEFAULT,
  applySlaPatch,
  defaultSlaThresholds,
} from '../../../../src/main/engine/sla/slaConfig'
import { Harness, diskAt, setTrigger } from './slaHarness'

/** Values in each trigger's unit: healthy, at warning, at emergency (below the disk block). */
const TRIGGER_VALUES: Record<TriggerName, { clear: number; warning: number; emergency: number }> = {
  append_p99_ms: { clear: 5, warning: 150, emergency: 1500 },
  append_error_rate: { clear: 0, warning: 0.02, emergency: 0.1 },
  disk_usage: { clear: 0.5, warning: 0.85, emergency: 0.93 },
  memory_usage: { clear: 0.5, warning: 0.92, emergency: 0.97 },
  append_backlog: { clear: 0, warning: 2000, emergency: 20_000 },
}

/** toEmergencyByFault reaches EMERGENCY the quickest way, a reported fault. */
function inEmergency(): Harness {
  const h = new Harness()
  h.monitor.reportFault('damage', 'bad checksum in segment 3')
  return h
}

function inRecovering(): Harness {
  const h = inEmergency()
  h.runUntil('RECOVERING')
  expect(h.monitor.level).toBe('RECOVERING')
  return h
}

describe('SlaMonitor triggers', () => {
  it.each(TRIGGER_NAMES)('%s at its warning value raises NORMAL to WARNING once held', (name) => {
    const h = new Harness()
    setTrigger(h.sources, name, TRIGGER_VALUES[name].warning)

    expect(h.runFor(SLA_HOLD_MS_DEFAULT - SLA_EVALUATE_INTERVAL_MS)).toEqual([])
    const [transition] = h.runFor(2 * SLA_EVALUATE_INTERVAL_MS)

    expect(transition).toMatchObject({ from: 'NORMAL', to: 'WARNING' })
    expect(transition?.figures[name]).toBeCloseTo(TRIGGER_VALUES[name].warning)
    expect(transition?.reason).toContain(name)
  })

  it.each(TRIGGER_NAMES)('%s at its emergency value raises WARNING to EMERGENCY', (name) => {
    const h = new Harness()
    setTrigger(h.sources, name, TRIGGER_VALUES[name].warning)
    h.runUntil('WARNING')
    setTrigger(h.sources, name, TRIGGER_VALUES[name].emergency)

    const tookMs = h.runUntil('EMERGENCY')

    expect(h.monitor.level).toBe('EMERGENCY')
    expect(tookMs).toBeLessThanOrEqual(SLA_ACTIVATION_MS_MAX)
    expect(h.transitions.at(-1)).toMatchObject({ from: 'WARNING', to: 'EMERGENCY' })
    expect(h.transitions.at(-1)?.reason).toContain(`${name}`)
  })

  it('a value that jumps straight to emergency goes from NORMAL to EMERGENCY in one transition', () => {
    const h = new Harness()
    setTrigger(h.sources, 'disk_usage', TRIGGER_VALUES.disk_usage.emergency)

    h.runFor(30_000)

    expect(h.transitions.map((t) => [t.from, t.to])).toEqual([['NORMAL', 'EMERGENCY']])
  })

  it('the append p99 trigger watches batch appends as well', () => {
    const h = new Harness()
    h.sources.latencyMs.append = 2
    h.sources.latencyMs.batch_append = 1500

    h.runUntil('EMERGENCY', 30_000)

    expect(h.monitor.level).toBe('EMERGENCY')
    expect(h.transitions.at(-1)?.figures.append_p99_ms).toBe(1500)
  })

  it.each(TRIGGER_NAMES)('%s activates within 30 s even with the longest hold_ms', (name) => {
    const thresholds = applySlaPatch(defaultSlaThresholds(), { hold_ms: SLA_HOLD_MS_MAX })
    const h = new Harness(thresholds)
    h.runFor(5000)
    // The value starts holding right after an evaluation: the worst case.
    const heldFromMs = h.nowMs
    setTrigger(h.sources, name, TRIGGER_VALUES[name].emergency)

    h.runUntil('EMERGENCY', 60_000)

    const at = Date.parse(h.transitions.at(-1)!.at)
    expect(h.monitor.level).toBe('EMERGENCY')
    expect(at - heldFromMs).toBeLessThanOrEqual(SLA_ACTIVATION_MS_MAX)
  })

  it('unknown sources (no disk, no memory, no appends) count as clear', () => {
    const h = new Harness()
    h.sources.disk = null
    h.sources.memory = null
    h.sources.outcomes = { ok: 0, failed: 0 }

    expect(h.runFor(60_000)).toEqual([])
    const values = h.monitor.snapshot().triggers.map((t) => [t.name, t.value, t.state])
    expect(values).toEqual([
      ['append_p99_ms', null, 'clear'],
      ['append_error_rate', null, 'clear'],
      ['disk_usage', null, 'clear'],
      ['memory_usage', null, 'clear'],
      ['append_backlog', 0, 'clear'],
    ])
  })
})

describe('SlaMonitor exits', () => {
  it('WARNING returns to NORMAL only after every trigger stayed clear for clear_ms', () => {
    const h = new Harness()
    setTrigger(h.sources, 'append_backlog', TRIGGER_VALUES.append_backlog.warning)
    h.runUntil('WARNING')
    setTrigger(h.sources, 'append_backlog', 0)

    expect(h.runFor(SLA_CLEAR_MS_DEFAULT - SLA_EVALUATE_INTERVAL_MS)).toEqual([])
    const [transition] = h.runFor(2 * SLA_EVALUATE_INTERVAL_MS)

    expect(transition).toMatchObject({ from: 'WARNING', to: 'NORMAL' })
    expect(transition?.reason).toContain('warning threshold for 60 s')
  })

  it('EMERGENCY moves to RECOVERING, not NORMAL, once emergency triggers cleared for clear_ms', () => {
    const h = new Harness()
    setTrigger(h.sources, 'memory_usage', TRIGGER_VALUES.memory_usage.emergency)
    h.runUntil('EMERGENCY')
    // At warning and below the emergency threshold less its margin (0.95 * 0.95): that
    // clears the emergency but not the warning.
    setTrigger(h.sources, 'memory_usage', 0.9)

    expect(h.runFor(SLA_CLEAR_MS_DEFAULT - SLA_EVALUATE_INTERVAL_MS)).toEqual([])
    const [transition] = h.runFor(2 * SLA_EVALUATE_INTERVAL_MS)
    h.runFor(10 * 60_000)

    expect(transition).toMatchObject({ from: 'EMERGENCY', to: 'RECOVERING' })
    expect(h.monitor.level).toBe('RECOVERING')
  })

  it('RECOVERING returns to EMERGENCY when a trigger reaches emergency again', () => {
    const h = inRecovering()
    setTrigger(h.sources, 'append_error_rate', TRIGGER_VALUES.append_error_rate.emergency)

    h.runUntil('EMERGENCY', 30_000)

    expect(h.transitions.at(-1)).toMatchObject({ from: 'RECOVERING', to: 'EMERGENCY' })
  })

  it('RECOVERING stays put while warnings come and go', () => {
    const h = inRecovering()
    setTrigger(h.sources, 'disk_usage', TRIGGER_VALUES.disk_usage.warning)

    expect(h.runFor(5 * 60_000)).toEqual([])
    expect(h.monitor.level).toBe('RECOVERING')
  })
})

describe('SlaMonitor hysteresis', () => {
  it('a value alternating just above and below a threshold raises the level once and never flaps', () => {
    const h = new Harness()
    for (let step = 0; step < 600; step++) {
      setTrigger(h.sources, 'disk_usage', step % 2 === 0 ? 0.81 : 0.79)
      h.runFor(SLA_EVALUATE_INTERVAL_MS)
    }

    expect(h.transitions.map((t) => t.to)).toEqual(['WARNING'])
  })

  it('long stretches just above and just below a threshold do not flap the level', () => {
    const h = new Harness()
    for (let cycle = 0; cycle < 5; cycle++) {
      setTrigger(h.sources, 'append_p99_ms', 101)
      h.runFor(SLA_HOLD_MS_DEFAULT + 5000)
      setTrigger(h.sources, 'append_p99_ms', 99)
      h.runFor(SLA_CLEAR_MS_DEFAULT + 10_000)
    }

    expect(h.transitions.map((t) => t.to)).toEqual(['WARNING'])
  })

  it('a spike shorter than hold_ms does not raise the level, however often it comes', () => {
    const h = new Harness()
    for (let cycle = 0; cycle < 30; cycle++) {
      setTrigger(h.sources, 'append_backlog', 50_000)
      h.runFor(SLA_HOLD_MS_DEFAULT - 2 * SLA_EVALUATE_INTERVAL_MS)
      setTrigger(h.sources, 'append_backlog', 0)
      h.runFor(SLA_EVALUATE_INTERVAL_MS)
    }

    expect(h.transitions).toEqual([])
  })

  it('a value within the margin below the threshold keeps WARNING; below the margin it clears', () => {
    const h = new Harness()
    setTrigger(h.sources, 'disk_usage', 0.8)
    h.runUntil('WARNING')

    setTrigger(h.sources, 'disk_usage', 0.77)
    expect(h.runFor(10 * 60_000)).toEqual([])

    setTrigger(h.sources, 'disk_usage', 0.75)
    expect(h.runFor(SLA_CLEAR_MS_DEFAULT + SLA_EVALUATE_INTERVAL_MS).map((t) => t.to)).toEqual([
      'NORMAL',
    ])
  })

  it('a relapse during clear_ms restarts the wait', () => {
    const h = new Harness()
    setTrigger(h.sources, 'append_backlog', 5000)
    h.runUntil('WARNING')
    setTrigger(h.sources, 'append_backlog', 0)
    h.runFor(SLA_CLEAR_MS_DEFAULT - 5000)
    setTrigger(h.sources, 'append_backlog', 5000)
    h.runFor(SLA_EVALUATE_INTERVAL_MS)
    setTrigger(h.sources, 'append_backlog', 0)

    expect(h.runFor(SLA_CLEAR_MS_DEFAULT - 5000)).toEqual([])
    expect(h.runUntil('NORMAL')).toBeLessThanOrEqual(5000 + SLA_EVALUATE_INTERVAL_MS)
  })
})

describe('SlaMonitor disk block', () => {
  it('above disk_block every write is refused at once, with the bytes to free', () => {
    const h = new Harness()
    h.sources.disk = diskAt(0.96)
    h.runFor(SLA_EVALUATE_INTERVAL_MS)

    const block = h.monitor.admit(['degradation_triggered'], { internal: true })

    expect(block?.code).toBe('disk_full')
    expect(block?.message).toContain('96.0%')
    const needed = block!.free_bytes_needed!
    const after = (freed: number) => ({
      total_bytes: h.sources.disk!.total_bytes,
      free_bytes: h.sources.disk!.free_bytes + freed,
      available_bytes: h.sources.disk!.available_bytes + freed,
    })
    expect(diskUsage(after(needed))).toBeLessThan(0.9)
    expect(diskUsage(after(needed - 1))).toBeGreaterThanOrEqual(0.9)
    expect(block?.message).toContain(String(needed))
  })

  it('stays blocked between disk_unblock and disk_block, and unblocks below disk_unblock', () => {
    const h = new Harness()
    h.sources.disk = diskAt(0.96)
    h.runFor(SLA_EVALUATE_INTERVAL_MS)
    h.sources.disk = diskAt(0.91)
    h.runFor(SLA_EVALUATE_INTERVAL_MS)
    expect(h.monitor.admit(['x'])?.code).toBe('disk_full')

    h.sources.disk = diskAt(0.899)
    h.runFor(SLA_EVALUATE_INTERVAL_MS)
    expect(h.monitor.admit(['x'])).toBeNull()
  })

  it('a disk that cannot be read keeps the last known block', () => {
    const h = new Harness()
    h.sources.disk = diskAt(0.97)
    h.runFor(SLA_EVALUATE_INTERVAL_MS)
    h.sources.disk = null
    h.runFor(SLA_EVALUATE_INTERVAL_MS)

    expect(h.monitor.admit(['x'])?.code).toBe('disk_full')
  })
})

describe('SlaMonitor.admit', () => {
  const levels: Record<SlaLevel, () => Harness> = {
    NORMAL: () => new Harness(),
    WARNING: () => {
      const h = new Harness()
      setTrigger(h.sources, 'append_backlog', 2000)
      h.runUntil('WARNING')
      return h
    },
    EMERGENCY: inEmergency,
    RECOVERING: inRecovering,
  }
  const cases: [SlaLevel, string[], { internal?: boolean; admin?: boolean }, boolean][] = [
    ['NORMAL', ['command_received'], {}, true],
    ['WARNING', ['command_received'], {}, true],
    ['EMERGENCY', ['command_received'], {}, false],
    ['EMERGENCY', ['command_received'], { admin: true }, false],
    ['EMERGENCY', ['degradation_triggered'], {}, false],
    ['EMERGENCY', ['degradation_triggered'], { internal: true }, true],
    ['EMERGENCY', ['recovery_completed'], { admin: true }, true],
    ['EMERGENCY', ['emergency_note', 'recovery_started'], { admin: true }, true],
    ['EMERGENCY', ['degradation_triggered', 'command_received'], { internal: true }, false],
    ['EMERGENCY', [], { internal: true }, false],
    ['RECOVERING', ['command_received'], {}, false],
    ['RECOVERING', ['degradation_cleared'], { internal: true }, true],
    ['RECOVERING', ['recovery_completed'], {}, false],
  ]

  it.each(cases)('in %s, %j with %j admitted: %s', (level, types, options, admitted) => {
    const h = levels[level]()
    expect(h.monitor.level).toBe(level)

    const block = h.monitor.admit(types, options)

    if (admitted) expect(block).toBeNull()
    else expect(block).toMatchObject({ code: 'emergency_mode' })
    if (!admitted) expect(block?.message).toContain(level)
  })
})

describe('SlaMonitor approval', () => {
  it('is refused outside RECOVERING with a validation StoreError', () => {
    const h = inEmergency()
    h.monitor.verificationPassed(h.nowMs)

    expect(() => h.monitor.approve()).toThrowError(/only in RECOVERING; the SLA level is EMERGENCY/)
    expect(() => h.monitor.approve()).toThrowError(StoreError)
  })

  it('is refused in RECOVERING before any verification passed', () => {
    const h = inRecovering()

    expect(() => h.monitor.approve()).toThrowError(/Run a verification first/)
    expect(h.monitor.snapshot().recovery).toEqual({
      verification_passed_at: null,
      can_approve: false,
    })
  })

  it('is refused when the verification started before the store entered RECOVERING', () => {
    const h = inEmergency()
    const earlyMs = h.nowMs + 1000
    h.runFor(2000)
    h.monitor.verificationPassed(earlyMs)
    h.runUntil('RECOVERING')

    expect(() => h.monitor.approve()).toThrowError(/Run a verification first/)
    expect(h.monitor.level).toBe('RECOVERING')
  })

  it('is accepted after a verification that started in RECOVERING, and moves to NORMAL', () => {
    const h = inRecovering()
    h.runFor(5000)
    h.monitor.verificationPassed(h.nowMs)
    expect(h.monitor.snapshot().recovery?.can_approve).toBe(true)

    const transition = h.monitor.approve()

    expect(transition).toMatchObject({ from: 'RECOVERING', to: 'NORMAL' })
    expect(transition.figures.verification_started_at_ms).toBe(h.nowMs)
    expect(h.monitor.level).toBe('NORMAL')
    expect(h.monitor.admit(['command_received'])).toBeNull()
  })

  it('is refused while a trigger is at emergency again, even before it held', () => {
    const h = inRecovering()
    h.monitor.verificationPassed(h.nowMs)
    setTrigger(h.sources, 'disk_usage', 0.93)
    h.runFor(SLA_EVALUATE_INTERVAL_MS)

    expect(() => h.monitor.approve()).toThrowError(/disk_usage is at its emergency threshold/)
  })

  it('a second EMERGENCY makes the earlier verification count for nothing', () => {
    const h = inRecovering()
    h.monitor.verificationPassed(h.nowMs)
    h.monitor.reportFault('store_failed', 'fsync failed: EIO')
    h.runUntil('RECOVERING')

    expect(() => h.monitor.approve()).toThrowError(/Run a verification first/)
  })
})

describe('SlaMonitor faults', () => {
  it.each(['store_failed', 'damage'] as const)('%s moves to EMERGENCY at once', (kind) => {
    const h = new Harness()

    const transition = h.monitor.reportFault(kind, 'fsync failed: EIO')

    expect(transition).toMatchObject({ from: 'NORMAL', to: 'EMERGENCY', figures: { [kind]: 1 } })
    expect(transition?.reason).toBe(`${kind}: fsync failed: EIO`)
    expect(h.transitions).toEqual([transition])
    expect(h.monitor.snapshot().violations[0]).toMatchObject({ metric: kind, window: 'instant' })
  })

  it('a fault in EMERGENCY makes no transition but restarts the clear_ms wait', () => {
    const h = inEmergency()
    h.runFor(SLA_CLEAR_MS_DEFAULT - 10_000)

    expect(h.monitor.reportFault('damage', 'sequence gap')).toBeNull()
    expect(h.runFor(SLA_CLEAR_MS_DEFAULT - SLA_EVALUATE_INTERVAL_MS)).toEqual([])
    expect(h.runFor(2 * SLA_EVALUATE_INTERVAL_MS).map((t) => t.to)).toEqual(['RECOVERING'])
  })

  it('a fault in RECOVERING goes back to EMERGENCY', () => {
    const h = inRecovering()

    expect(h.monitor.reportFault('damage', 'torn record')).toMatchObject({
      from: 'RECOVERING',
      to: 'EMERGENCY',
    })
  })
})

describe('SlaMonitor listeners, thresholds and snapshot', () => {
  it('a throwing listener does not keep the others from the transition', () => {
    const h = new Harness()
    const seen: string[] = []
    h.monitor.onTransition(() => {
      throw new Error('listener bug')
    })
    h.monitor.onTransition((t) => seen.push(t.to))

    expect(() => h.monitor.reportFault('damage', 'x')).toThrowError('listener bug')
    expect(seen).toEqual(['EMERGENCY'])
    expect(h.monitor.level).toBe('EMERGENCY')
  })

  it('keeps at most SLA_TRANSITIONS_KEPT_MAX transitions, the most recent', () => {
    const h = new Harness()
    while (h.transitions.length < SLA_TRANSITIONS_KEPT_MAX + 10) {
      h.monitor.reportFault('damage', `fault ${h.transitions.length}`)
      h.runUntil('RECOVERING')
    }

    const kept = h.monitor.transitions()

    expect(kept).toHaveLength(SLA_TRANSITIONS_KEPT_MAX)
    expect(kept).toEqual(h.transitions.slice(-SLA_TRANSITIONS_KEPT_MAX))
  })

  it('refuses thresholds that did not pass validation', () => {
    const bad = { ...defaultSlaThresholds(), disk_unblock: 0.99 }
    expect(() => new Harness(bad)).toThrowError(/disk_unblock must be below disk_block/)
  })

  it('an unsubscribed listener hears nothing more', () => {
    const h = new Harness()
    const seen: string[] = []
    const stop = h.monitor.onTransition((t) => seen.push(t.to))
    stop()

    h.monitor.reportFault('damage', 'x')

    expect(seen).toEqual([])
  })

  it('a run-time patch is validated and takes effect at the next evaluation', () => {
    const h = new Harness()
    setTrigger(h.sources, 'disk_usage', 0.6)

    expect(() =>
      h.monitor.setThresholds({ triggers: { disk_usage: { warning: 2 } } }),
    ).toThrowError(ValidationError)
    expect(h.monitor.thresholds().triggers.disk_usage.warning).toBe(0.8)
    h.monitor.setThresholds({ triggers: { disk_usage: { warning: 0.55 } }, hold_ms: 0 })
    h.runFor(SLA_EVALUATE_INTERVAL_MS)

    expect(h.monitor.level).toBe('WARNING')
  })

  it('the snapshot reports level, compliance, triggers, violations and every latency series', () => {
    const h = new Harness()
    h.sources.latencyMs.append = 12
    setTrigger(h.sources, 'append_backlog', 2000)
    h.runUntil('WARNING')

    const snapshot = h.monitor.snapshot()

    expect(snapshot.level).toBe('WARNING')
    expect(snapshot.since).toBe(h.transitions[0]?.at)
    expect(snapshot.checked_at).toBe(new Date(h.nowMs).toISOString())
    expect(Object.keys(snapshot.latency)).toHaveLength(7)
    expect(snapshot.latency.append['1m'].p99).toBe(12_000)
    expect(snapshot.compliance.find((row) => row.id === 'append_p99')).toMatchObject({
      observed_ms: 12,
      ok: false,
    })
    expect(snapshot.triggers.find((t) => t.name === 'append_backlog')).toMatchObject({
      value: 2000,
      state: 'warning',
    })
    expect(snapshot.violations.map((v) => v.metric)).toContain('append_backlog')
    expect(snapshot.write_block).toBeNull()
    expect(snapshot.recovery).toBeNull()
    expect(h.monitor.transitions()).toEqual(h.transitions)
  })
})
