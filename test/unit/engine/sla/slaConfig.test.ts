import { describe, expect, it } from 'vitest'
import { ValidationError } from '../../../../src/main/engine/errors'
import {
  APPEND_QUEUE_EVENTS_MAX,
  SLA_ACTIVATION_MS_MAX,
  SLA_EVALUATE_INTERVAL_MS,
  SLA_FILE_BYTES_MAX,
  SLA_HOLD_MS_MAX,
} from '../../../../src/main/engine/limits'
import {
  SLA_FILE_NAME,
  applySlaPatch,
  defaultSlaThresholds,
  loadSlaThresholds,
  saveSlaThresholds,
} from '../../../../src/main/engine/sla/slaConfig'
import { FaultFileSystem } from '../../../support/faultFileSystem'

const DIR = '/store'
const FILE = `${DIR}/${SLA_FILE_NAME}`

function disk(): FaultFileSystem {
  return new FaultFileSystem({ dirs: [DIR] })
}

async function writeFile(fs: FaultFileSystem, path: string, text: string): Promise<void> {
  const handle = await fs.create(path)
  await handle.write([Buffer.from(text)], 0)
  await handle.close()
}

describe('SLA defaults', () => {
  it('are the ADR-004 targets and the DESIGN.md triggers', () => {
    const defaults = defaultSlaThresholds()

    expect(defaults.targets).toEqual({
      append_p50: 2,
      append_p95: 5,
      append_p99: 10,
      append_p999: 100,
      batch_append_p99: 50,
      query_by_id_p99: 1,
      range_query_p99: 100,
      delivery_p99: 100,
    })
    expect(defaults.triggers).toEqual({
      append_p99_ms: { warning: 100, emergency: 1000 },
      append_error_rate: { warning: 0.01, emergency: 0.05 },
      disk_usage: { warning: 0.8, emergency: 0.9 },
      memory_usage: { warning: 0.9, emergency: 0.95 },
      append_backlog: { warning: 1000, emergency: 10_000 },
    })
    expect([defaults.disk_block, defaults.disk_unblock, defaults.memory_limit_bytes]).toEqual([
      0.95,
      0.9,
      null,
    ])
  })

  it('activate within 30 s: hold_ms plus two evaluation intervals', () => {
    const { hold_ms: holdMs } = defaultSlaThresholds()
    expect(holdMs + 2 * SLA_EVALUATE_INTERVAL_MS).toBeLessThanOrEqual(SLA_ACTIVATION_MS_MAX)
    expect(SLA_HOLD_MS_MAX + 2 * SLA_EVALUATE_INTERVAL_MS).toBeLessThanOrEqual(
      SLA_ACTIVATION_MS_MAX,
    )
  })

  it('pass their own validation', () => {
    expect(applySlaPatch(defaultSlaThresholds(), defaultSlaThresholds())).toEqual(
      defaultSlaThresholds(),
    )
  })
})

describe('applySlaPatch', () => {
  it('changes only what the patch names, and leaves the base alone', () => {
    const base = defaultSlaThresholds()

    const next = applySlaPatch(base, {
      targets: { append_p99: 20 },
      triggers: { disk_usage: { warning: 0.7 } },
      memory_limit_bytes: 2_000_000_000,
    })

    expect(next.targets.append_p99).toBe(20)
    expect(next.targets.append_p50).toBe(2)
    expect(next.triggers.disk_usage).toEqual({ warning: 0.7, emergency: 0.9 })
    expect(next.memory_limit_bytes).toBe(2_000_000_000)
    expect(base).toEqual(defaultSlaThresholds())
  })

  it('accepts null to go back to the machine total for memory', () => {
    const limited = applySlaPatch(defaultSlaThresholds(), { memory_limit_bytes: 1024 })
    expect(applySlaPatch(limited, { memory_limit_bytes: null }).memory_limit_bytes).toBeNull()
  })

  const refused: [string, unknown, string, RegExp][] = [
    ['a patch that is not an object', [1], 'SLA settings', /must be an object, got an array/],
    ['an unknown setting', { hold: 1 }, 'SLA settings', /unknown key "hold"; known keys: targets/],
    ['an unknown target', { targets: { append_p42: 1 } }, 'targets', /unknown key "append_p42"/],
    ['an unknown trigger', { triggers: { cpu: {} } }, 'triggers', /unknown key "cpu"/],
    [
      'an unknown trigger level',
      { triggers: { disk_usage: { critical: 0.99 } } },
      'triggers.disk_usage',
      /unknown key "critical"; known keys: warning, emergency/,
    ],
    ['a target given as text', { targets: { append_p50: '2' } }, 'targets.append_p50', /got "2"/],
    [
      'a zero target',
      { targets: { append_p50: 0 } },
      'targets.append_p50',
      /above 0 and at most 3600000, got 0/,
    ],
    [
      'a ratio over 1',
      { triggers: { disk_usage: { emergency: 1.5 } } },
      'triggers.disk_usage.emergency',
      /a number above 0 and at most 1, got 1.5/,
    ],
    [
      'warning not below emergency',
      { triggers: { append_error_rate: { warning: 0.05 } } },
      'triggers.append_error_rate.warning',
      /must be below triggers.append_error_rate.emergency \(0.05\), got 0.05/,
    ],
    [
      'a backlog at the append queue bound',
      { triggers: { append_backlog: { emergency: APPEND_QUEUE_EVENTS_MAX } } },
      'triggers.append_backlog.emergency',
      new RegExp(`at most ${APPEND_QUEUE_EVENTS_MAX - 1}, got ${APPEND_QUEUE_EVENTS_MAX}`),
    ],
    [
      'a fractional backlog',
      { triggers: { append_backlog: { warning: 10.5 } } },
      'triggers.append_backlog.warning',
      /must be an integer/,
    ],
    [
      'unblock not below block',
      { disk_unblock: 0.96 },
      'disk_unblock',
      /must be below disk_block \(0.95\), got 0.96/,
    ],
    [
      'hold_ms past the activation bound',
      { hold_ms: 30_000 },
      'hold_ms',
      /at most 28000, got 30000/,
    ],
    ['a negative clear_ms', { clear_ms: -1 }, 'clear_ms', /at least 0/],
    ['a fractional clear_ms', { clear_ms: 1.5 }, 'clear_ms', /must be an integer/],
    ['a zero memory limit', { memory_limit_bytes: 0 }, 'memory_limit_bytes', /at least 1/],
    ['NaN', { disk_block: Number.NaN }, 'disk_block', /got NaN/],
  ]

  it.each(refused)('refuses %s, naming the field and the limit', (_, patch, field, message) => {
    const base = defaultSlaThresholds()
    let caught: unknown
    try {
      applySlaPatch(base, patch)
    } catch (error) {
      caught = error
    }

    expect(caught).toBeInstanceOf(ValidationError)
    expect((caught as ValidationError).field).toBe(field)
    expect((caught as ValidationError).code).toBe('validation')
    expect((caught as ValidationError).message).toMatch(message)
    expect((caught as ValidationError).message.startsWith(field)).toBe(true)
  })
})

describe('sla.json', () => {
  it('round-trips through save and load, and survives a power loss once saved', async () => {
    const fs = disk()
    const thresholds = applySlaPatch(defaultSlaThresholds(), {
      hold_ms: 5000,
      triggers: { append_backlog: { warning: 500, emergency: 5000 } },
    })

    await saveSlaThresholds(fs, DIR, thresholds)

    expect(await loadSlaThresholds(fs, DIR)).toEqual(thresholds)
    expect(await loadSlaThresholds(fs.powerLoss(), DIR)).toEqual(thresholds)
  })

  it('a missing file means the defaults', async () => {
    expect(await loadSlaThresholds(disk(), DIR)).toEqual(defaultSlaThresholds())
  })

  it('a file may set only some fields', async () => {
    const fs = disk()
    await writeFile(fs, FILE, '{"disk_block": 0.97, "triggers": {"disk_usage": {"warning": 0.85}}}')

    const loaded = await loadSlaThresholds(fs, DIR)

    expect(loaded.disk_block).toBe(0.97)
    expect(loaded.triggers.disk_usage).toEqual({ warning: 0.85, emergency: 0.9 })
    expect(loaded.hold_ms).toBe(defaultSlaThresholds().hold_ms)
  })

  it.each([
    ['not JSON', '{"hold_ms": ', new RegExp(`^${FILE} is not valid JSON`)],
    [
      'a bad field',
      '{"triggers": {"memory_usage": {"warning": 0.99}}}',
      new RegExp(
        `^${FILE}: triggers.memory_usage.warning must be below triggers.memory_usage.emergency \\(0.95\\)`,
      ),
    ],
    [
      'an unknown key',
      '{"hold": 1}',
      new RegExp(`^${FILE}: SLA settings has an unknown key "hold"`),
    ],
    [
      'too large',
      `{"x": "${'a'.repeat(SLA_FILE_BYTES_MAX)}"}`,
      new RegExp(`over the limit of ${SLA_FILE_BYTES_MAX}`),
    ],
  ])('a file that is %s is refused with the file and the field named', async (_, text, message) => {
    const fs = disk()
    await writeFile(fs, FILE, text)

    await expect(loadSlaThresholds(fs, DIR)).rejects.toThrowError(message)
    await expect(loadSlaThresholds(fs, DIR)).rejects.toBeInstanceOf(ValidationError)
  })

  it('saving an invalid configuration is refused before anything is written', async () => {
    const fs = disk()
    const bad = { ...defaultSlaThresholds(), disk_unblock: 0.99 }

    await expect(saveSlaThresholds(fs, DIR, bad)).rejects.toThrowError(/disk_unblock must be below/)
    expect(await fs.readdir(DIR)).toEqual([])
  })

  it('a failed write is an io_error naming the file', async () => {
    const fs = disk()
    fs.failNext('datasync', 'EIO')

    await expect(saveSlaThresholds(fs, DIR, defaultSlaThresholds())).rejects.toMatchObject({
      code: 'io_error',
      message: expect.stringContaining(`write ${FILE}`) as unknown,
    })
  })
})
