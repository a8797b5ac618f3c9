import {
  SLA_TARGET_IDS,
  TRIGGER_NAMES,
  type SlaThresholds,
  type TriggerName,
  type TriggerThresholds,
} from '../../../shared/sla'
import { ValidationError, ioError } from '../errors'
import { writeFileDurably, type FileSystem } from '../fileSystem'
import {
  APPEND_QUEUE_EVENTS_MAX,
  SLA_CLEAR_MS_MAX,
  SLA_FILE_BYTES_MAX,
  SLA_HOLD_MS_MAX,
  SLA_LATENCY_MS_MAX,
} from '../limits'

/**
 * The SLA configuration: the ADR-004 defaults, the validation of every change to them
 * (from the store's `sla.json` or at run time), and the file itself. A configuration that
 * passed `applySlaPatch` always has warning below emergency for every trigger and unblock
 * below block for the disk, which the monitor's hysteresis relies on.
 */

/** SLA_FILE_NAME is the per-store configuration file, in the store directory. */
export const SLA_FILE_NAME = 'sla.json'

/**
 * SLA_HOLD_MS_DEFAULT: a trigger must hold 10 s before the level rises, long enough to
 * ignore one slow fsync, and with SLA_EVALUATE_INTERVAL_MS well inside the 30 s of ADR-004.
 */
export const SLA_HOLD_MS_DEFAULT = 10_000
/**
 * SLA_CLEAR_MS_DEFAULT: every trigger must stay clear for one minute before the level
 * falls, the length of the window the latency and error-rate triggers are measured over.
 */
export const SLA_CLEAR_MS_DEFAULT = 60_000

/** defaultSlaThresholds returns a fresh copy of the ADR-004 defaults. */
export function defaultSlaThresholds(): SlaThresholds {
  return {
    targets: {
      append_p50: 2,
      append_p95: 5,
      append_p99: 10,
      append_p999: 100,
      batch_append_p99: 50,
      query_by_id_p99: 1,
      range_query_p99: 100,
      delivery_p99: 100,
    },
    triggers: {
      append_p99_ms: { warning: 100, emergency: 1000 },
      append_error_rate: { warning: 0.01, emergency: 0.05 },
      disk_usage: { warning: 0.8, emergency: 0.9 },
      memory_usage: { warning: 0.9, emergency: 0.95 },
      append_backlog: { warning: 1000, emergency: 10_000 },
    },
    disk_block: 0.95,
    disk_unblock: 0.9,
    hold_ms: SLA_HOLD_MS_DEFAULT,
    clear_ms: SLA_CLEAR_MS_DEFAULT,
    memory_limit_bytes: null,
  }
}

/** Range is what a number may be; `above` is an exclusive lower bound, `min` an inclusive one. */
interface Range {
  above?: number
  min?: number
  max: number
  integer?: boolean
}

const RATIO: Range = { above: 0, max: 1 }
const LATENCY_MS: Range = { above: 0, max: SLA_LATENCY_MS_MAX }

/** The range of each trigger's thresholds; the backlog must stay below the append queue's bound. */
const TRIGGER_RANGES: Readonly<Record<TriggerName, Range>> = {
  append_p99_ms: LATENCY_MS,
  append_error_rate: RATIO,
  disk_usage: RATIO,
  memory_usage: RATIO,
  append_backlog: { min: 1, max: APPEND_QUEUE_EVENTS_MAX - 1, integer: true },
}

const TOP_LEVEL_KEYS = [
  'targets',
  'triggers',
  'disk_block',
  'disk_unblock',
  'hold_ms',
  'clear_ms',
  'memory_limit_bytes',
] as const
const LEVEL_KEYS = ['warning', 'emergency'] as const

/**
 * applySlaPatch validates `patch` (untrusted: parsed JSON or an API argument) and returns
 * `base` with it applied; `base` is not changed. It throws a ValidationError naming the
 * field and the limit, prefixed with `where` (such as the file) when given.
 */
export function applySlaPatch(base: SlaThresholds, patch: unknown, where = ''): SlaThresholds {
  const field = (path: string): string => (where === '' ? path : `${where}: ${path}`)
  const top = objectWithKeys(patch, TOP_LEVEL_KEYS, field('SLA settings'))
  const next: SlaThresholds = {
    ...base,
    targets: { ...base.targets },
    triggers: { ...base.triggers },
  }
  if (top.targets !== undefined) {
    const targets = objectWithKeys(top.targets, SLA_TARGET_IDS, field('targets'))
    for (const id of SLA_TARGET_IDS) {
      const value = targets[id]
      if (value !== undefined) {
        next.targets[id] = checkNumber(value, field(`targets.${id}`), LATENCY_MS)
      }
    }
  }
  if (top.triggers !== undefined) {
    const triggers = objectWithKeys(top.triggers, TRIGGER_NAMES, field('triggers'))
    for (const name of TRIGGER_NAMES) {
      if (triggers[name] === undefined) continue
      next.triggers[name] = patchTrigger(base.triggers[name], triggers[name], name, field)
    }
  }
  if (top.disk_block !== undefined) {
    next.disk_block = checkNumber(top.disk_block, field('disk_block'), RATIO)
  }
  if (top.disk_unblock !== undefined) {
    next.disk_unblock = checkNumber(top.disk_unblock, field('disk_unblock'), RATIO)
  }
  if (top.hold_ms !== undefined) {
    const range = { min: 0, max: SLA_HOLD_MS_MAX, integer: true }
    next.hold_ms = checkNumber(top.hold_ms, field('hold_ms'), range)
  }
  if (top.clear_ms !== undefined) {
    const range = { min: 0, max: SLA_CLEAR_MS_MAX, integer: true }
    next.clear_ms = checkNumber(top.clear_ms, field('clear_ms'), range)
  }
  if (top.memory_limit_bytes !== undefined) {
    next.memory_limit_bytes =
      top.memory_limit_bytes === null
        ? null
        : checkNumber(top.memory_limit_bytes, field('memory_limit_bytes'), {
            min: 1,
            max: Number.MAX_SAFE_INTEGER,
            integer: true,
          })
  }
  checkOrder(next, field)
  return next
}

function patchTrigger(
  base: TriggerThresholds,
  value: unknown,
  name: TriggerName,
  field: (path: string) => string,
): TriggerThresholds {
  const levels = objectWithKeys(value, LEVEL_KEYS, field(`triggers.${name}`))
  const next = { ...base }
  for (const level of LEVEL_KEYS) {
    if (levels[level] === undefined) continue
    next[level] = checkNumber(
      levels[level],
      field(`triggers.${name}.${level}`),
      TRIGGER_RANGES[name],
    )
  }
  return next
}

/** checkOrder checks the rules between fields, on the merged result. */
function checkOrder(next: SlaThresholds, field: (path: string) => string): void {
  for (const name of TRIGGER_NAMES) {
    const { warning, emergency } = next.triggers[name]
    if (!(warning < emergency)) {
      throw new ValidationError(
        field(`triggers.${name}.warning`),
        `must be below triggers.${name}.emergency (${emergency}), got ${warning}`,
      )
    }
  }
  if (!(next.disk_unblock < next.disk_block)) {
    throw new ValidationError(
      field('disk_unblock'),
      `must be below disk_block (${next.disk_block}), got ${next.disk_unblock}`,
    )
  }
}

/** objectWithKeys checks that `value` is a plain object whose keys are all in `keys`. */
function objectWithKeys<K extends string>(
  value: unknown,
  keys: readonly K[],
  field: string,
): Partial<Record<K, unknown>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(field, `must be an object, got ${describe(value)}`)
  }
  for (const key of Object.keys(value)) {
    if (!(keys as readonly string[]).includes(key)) {
      throw new ValidationError(
        field,
        `has an unknown key "${key}"; known keys: ${keys.join(', ')}`,
      )
    }
  }
  return value
}

function checkNumber(value: unknown, field: string, range: Range): number {
  const wanted = describeRange(range)
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ValidationError(field, `must be ${wanted}, got ${describe(value)}`)
  }
  const outside =
    (range.above !== undefined && !(value > range.above)) ||
    (range.min !== undefined && value < range.min) ||
    value > range.max ||
    (range.integer === true && !Number.isInteger(value))
  if (outside) throw new ValidationError(field, `must be ${wanted}, got ${value}`)
  return value
}

function describeRange(range: Range): string {
  const kind = range.integer === true ? 'an integer' : 'a number'
  const lower = range.above !== undefined ? `above ${range.above}` : `at least ${range.min}`
  return `${kind} ${lower} and at most ${range.max}`
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'object') return 'an object'
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined) {
    return String(value)
  }
  return `a value of type ${typeof value}`
}

/**
 * loadSlaThresholds reads the store's `sla.json` over the defaults. A missing file means the
 * defaults; the file may set only some fields. A file that is too large, not JSON or not a
 * valid patch is a ValidationError naming the file and the field.
 */
export async function loadSlaThresholds(fs: FileSystem, dir: string): Promise<SlaThresholds> {
  const path = `${dir}/${SLA_FILE_NAME}`
  let bytes: Buffer
  try {
    const size = await fs.size(path)
    if (size === null) return defaultSlaThresholds()
    if (size > SLA_FILE_BYTES_MAX) {
      throw new ValidationError(path, `is ${size} bytes, over the limit of ${SLA_FILE_BYTES_MAX}`)
    }
    bytes = await fs.readFile(path)
  } catch (error) {
    if (error instanceof ValidationError) throw error
    throw ioError(`read ${path}`, error)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(bytes.toString('utf8'))
  } catch (error) {
    throw new ValidationError(path, `is not valid JSON: ${(error as Error).message}`)
  }
  return applySlaPatch(defaultSlaThresholds(), parsed, path)
}

/**
 * saveSlaThresholds writes the whole configuration to `sla.json` atomically (temp file,
 * fsync, rename, fsync directory), after checking it as loading would.
 */
export async function saveSlaThresholds(
  fs: FileSystem,
  dir: string,
  thresholds: SlaThresholds,
): Promise<void> {
  applySlaPatch(defaultSlaThresholds(), thresholds)
  const bytes = Buffer.from(`${JSON.stringify(thresholds, null, 2)}\n`)
  try {
    await writeFileDurably(fs, dir, SLA_FILE_NAME, bytes)
  } catch (error) {
    throw ioError(`write ${dir}/${SLA_FILE_NAME}`, error)
  }
}
