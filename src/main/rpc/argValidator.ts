/**
 * A tiny validator for StoreApi arguments. Each validator checks one value and returns it
 * typed, or throws a ValidationError that names the field (as a path such as
 * `args.events[3]`) and the limit it broke. Objects refuse keys they do not declare, so a
 * call carries exactly the fields the contract names.
 */
import { ValidationError } from '../engine/errors'

/** Validator checks `value` found at `field` and returns it typed, or throws ValidationError. */
export type Validator<T> = (value: unknown, field: string) => T

/** Fields maps each key of an object to the validator of its value. */
type Fields<T> = { [K in keyof T]: Validator<T[K]> }

/** noArgs accepts a call without arguments (the method's args are `void`). */
export const noArgs: Validator<void> = (value, field) => {
  if (value !== undefined)
    throw new ValidationError(field, 'must be left out: this method takes none')
}

/** text accepts a string of charsMin..charsMax characters. */
export function text(charsMax: number, charsMin = 1): Validator<string> {
  return (value, field) => {
    if (typeof value !== 'string')
      throw new ValidationError(field, `must be a string, got ${kindOf(value)}`)
    if (value.length < charsMin || value.length > charsMax) {
      throw new ValidationError(
        field,
        `must be ${charsMin} to ${charsMax} characters long, got ${value.length}`,
      )
    }
    return value
  }
}

/** integer accepts a safe integer in min..max. */
export function integer(min: number, max: number = Number.MAX_SAFE_INTEGER): Validator<number> {
  return (value, field) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      throw new ValidationError(field, `must be a whole number, got ${kindOf(value)}`)
    }
    if (value < min || value > max) {
      throw new ValidationError(field, `must be between ${min} and ${max}, got ${value}`)
    }
    return value
  }
}

/** finiteNumber accepts a finite number of at least min. */
export function finiteNumber(min: number): Validator<number> {
  return (value, field) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new ValidationError(field, `must be a finite number, got ${kindOf(value)}`)
    }
    if (value < min) throw new ValidationError(field, `must be at least ${min}, got ${value}`)
    return value
  }
}

/** oneOf accepts one of the listed strings. */
export function oneOf<const T extends string>(choices: readonly T[]): Validator<T> {
  return (value, field) => {
    if (typeof value === 'string' && (choices as readonly string[]).includes(value))
      return value as T
    throw new ValidationError(field, `must be one of ${choices.join(', ')}`)
  }
}

/** nullable also accepts null. */
export function nullable<T>(validator: Validator<T>): Validator<T | null> {
  return (value, field) => (value === null ? null : validator(value, field))
}

/** arrayOf accepts an array of at most itemsMax items, each checked by `item`. */
export function arrayOf<T>(item: Validator<T>, itemsMax: number): Validator<T[]> {
  return (value, field) => {
    if (!Array.isArray(value))
      throw new ValidationError(field, `must be an array, got ${kindOf(value)}`)
    if (value.length > itemsMax) {
      throw new ValidationError(field, `must hold at most ${itemsMax} items, got ${value.length}`)
    }
    return value.map((element, index) => item(element, `${field}[${index}]`))
  }
}

/**
 * object accepts a plain object with every `required` key, any of the `optional` keys and
 * nothing else. An optional key that is present but undefined counts as left out.
 */
export function object<R extends object, O extends object = object>(
  required: Fields<R>,
  optional?: Fields<O>,
): Validator<NoInfer<R & Partial<O>>> {
  const requiredValidators = Object.entries<Validator<unknown>>(required)
  const optionalValidators = new Map(Object.entries<Validator<unknown>>(optional ?? {}))
  return (value, field) => {
    const input = plainRecord(value, field)
    const output: Record<string, unknown> = {}
    for (const [key, validate] of requiredValidators) {
      if (input[key] === undefined) throw new ValidationError(`${field}.${key}`, 'is required')
      output[key] = validate(input[key], `${field}.${key}`)
    }
    for (const [key, entry] of Object.entries(input)) {
      if (Object.hasOwn(required, key)) continue
      const validate = optionalValidators.get(key)
      if (validate === undefined)
        throw new ValidationError(`${field}.${key}`, 'is not a known field')
      if (entry !== undefined) output[key] = validate(entry, `${field}.${key}`)
    }
    return output as R & Partial<O>
  }
}

/**
 * partialRecord accepts an object whose keys are some of `keys`, each value checked by
 * `item`: a partial update such as SLA thresholds by target id.
 */
export function partialRecord<K extends string, T>(
  keys: readonly K[],
  item: Validator<T>,
): Validator<Partial<Record<K, T>>> {
  const fields = Object.fromEntries(keys.map((key) => [key, item])) as Fields<Record<K, T>>
  return object<object, Record<K, T>>({}, fields)
}

/**
 * checkedLater accepts any plain object and types it as T. It is for shapes the engine
 * checks in depth (events, queries, filters) with its own ValidationError naming the field;
 * checking them twice would let the two rule sets drift apart.
 */
export function checkedLater<T>(): Validator<T> {
  return (value, field) => plainRecord(value, field) as T
}

/** refine adds a check across fields that the shape alone cannot say. */
export function refine<T>(
  validator: Validator<T>,
  holds: (value: T) => boolean,
  rule: string,
): Validator<T> {
  return (value, field) => {
    const checked = validator(value, field)
    if (!holds(checked)) throw new ValidationError(field, rule)
    return checked
  }
}

function plainRecord(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(field, `must be an object, got ${kindOf(value)}`)
  }
  const prototype: unknown = Object.getPrototypeOf(value)
  if (prototype !== Object.prototype && prototype !== null) {
    throw new ValidationError(field, 'must be a plain object')
  }
  return value as Record<string, unknown>
}

function kindOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value
}
