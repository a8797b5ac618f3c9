import { parseArgs } from 'node:util'
import { UsageError } from './cliIo'

type OptionSpec = Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>

/** parseCommand reads `DIR` and the options a command declares; anything else is a usage error. */
export function parseCommand<T extends OptionSpec>(
  args: string[],
  options: T,
): {
  dir: string
  values: ReturnType<typeof parseArgs<{ options: T; allowPositionals: true }>>['values']
} {
  let parsed
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true })
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  if (parsed.positionals.length !== 1) {
    throw new UsageError(`expected one store directory, got ${parsed.positionals.length} arguments`)
  }
  return { dir: parsed.positionals[0]!, values: parsed.values }
}

/** integerOption parses a whole-number option, naming the option when it is not one. */
export function integerOption(
  value: string | undefined,
  name: string,
  min = 0,
): number | undefined {
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`--${name} must be a whole number of at least ${min}, got "${value}"`)
  }
  return Number(value)
}
