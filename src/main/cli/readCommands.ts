import { EventStore } from '../engine/eventStore'
import type { FileReport, InspectReport, RecoveryReport } from '../../shared/report'
import type { EventQuery } from '../../shared/query'
import { FILTER_OPTIONS, filterFromOptions } from './filterOptions'
import type { CliIo } from './cliIo'
import { EXIT, writeLine } from './cliIo'
import { integerOption, parseCommand } from './args'
import { verifyStore } from './verifyProgress'

/** query prints matching events as NDJSON, oldest first (or newest first with --desc). */
export async function queryCommand(args: string[], io: CliIo): Promise<number> {
  const { dir, values } = parseCommand(args, {
    ...FILTER_OPTIONS,
    limit: { type: 'string' },
    offset: { type: 'string' },
    'order-by': { type: 'string' },
    desc: { type: 'boolean' },
    cursor: { type: 'string' },
    explain: { type: 'boolean' },
    json: { type: 'boolean' },
  })
  const query: EventQuery = {
    ...filterFromOptions(values),
    limit: integerOption(values.limit, 'limit', 1),
    offset: integerOption(values.offset, 'offset'),
    order_by: values['order-by'] as EventQuery['order_by'],
    order: values.desc ? 'desc' : 'asc',
    cursor: values.cursor,
  }
  const store = await EventStore.open(dir, { access: 'read' })
  try {
    const result = await store.query(query)
    for (const event of result.events) await writeLine(io.stdout, JSON.stringify(event))
    if (values.explain) {
      const { total_count, has_more, next_cursor, execution_time_ms, plan } = result
      const explain = { total_count, has_more, next_cursor, execution_time_ms, plan }
      await writeLine(io.stderr, JSON.stringify(explain))
    }
    return EXIT.ok
  } finally {
    await store.close()
  }
}

/** inspect prints the store's summary; it never modifies the store. */
export async function inspectCommand(args: string[], io: CliIo): Promise<number> {
  const { dir, values } = parseCommand(args, { json: { type: 'boolean' } })
  const store = await EventStore.open(dir, { access: 'read' })
  try {
    const report = store.inspect()
    await writeLine(io.stdout, values.json ? JSON.stringify(report) : describeInspect(dir, report))
    return report.mode === 'needs_recovery' ? EXIT.damage : EXIT.ok
  } finally {
    await store.close()
  }
}

/** verify reads and checks every record on worker threads; exit 1 when anything is damaged. */
export async function verifyCommand(args: string[], io: CliIo): Promise<number> {
  const { dir, values } = parseCommand(args, {
    json: { type: 'boolean' },
    progress: { type: 'boolean' },
  })
  const report = await verifyStore(dir, values.progress ? io.stderr : null)
  if (values.json) await writeLine(io.stdout, JSON.stringify(report))
  else for (const file of report.files) await writeLine(io.stdout, describeFile(file))
  if (!values.json) {
    await writeLine(
      io.stdout,
      report.ok
        ? 'Store is intact.'
        : 'Damage found: run `lighthouse-store recover DIR` to repair.',
    )
  }
  return report.ok ? EXIT.ok : EXIT.damage
}

/** recover repairs the store as its writer and prints the report. */
export async function recoverCommand(args: string[], io: CliIo): Promise<number> {
  const { dir, values } = parseCommand(args, { json: { type: 'boolean' } })
  const report = await EventStore.recover(dir)
  await writeLine(io.stdout, values.json ? JSON.stringify(report) : describeRecovery(report))
  return report.ok ? EXIT.ok : EXIT.damage
}

function describeInspect(dir: string, report: InspectReport): string {
  const range =
    report.first_sequence === null
      ? 'no events'
      : `sequences ${report.first_sequence}-${report.last_sequence}`
  const lines = [
    `${dir}: ${report.mode}, ${report.event_count} events (${range}), ${report.bytes} bytes in ${report.segments.length} segments`,
    ...report.segments.map(
      (s) =>
        `  ${s.name}  ${s.sealed ? 'sealed' : 'active'}  ${s.records} events  ${s.bytes} bytes`,
    ),
  ]
  if (report.reason) lines.push(`  reason: ${report.reason}`)
  return lines.join('\n')
}

function describeFile(file: FileReport): string {
  const range =
    file.first_sequence === null ? '' : ` (sequences ${file.first_sequence}-${file.last_sequence})`
  const problems = file.problems.map((p) => `\n    at byte ${p.offset}: ${p.reason}`).join('')
  return `${file.status.padEnd(7)} ${file.name}: ${file.records} events${range}${problems}`
}

function describeRecovery(report: RecoveryReport): string {
  const actions = report.actions.map(
    (a) =>
      `  ${a.kind} ${a.file}${a.offset === null ? '' : ` at byte ${a.offset}`} (${a.bytes} bytes): ${a.reason}${a.saved_as ? `; saved as ${a.saved_as}` : ''}`,
  )
  const head = report.ok
    ? 'Recovery finished: the store is intact and writable.'
    : 'Recovery could not repair everything:'
  const problems = report.problems.map((p) => `  ${p.file}: ${p.reason}`)
  return [head, ...(actions.length > 0 ? actions : ['  nothing needed repair']), ...problems].join(
    '\n',
  )
}
