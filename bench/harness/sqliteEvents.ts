import type { StoredEvent } from '../../src/shared/event'
import type { SqliteDatabase, SqliteStatement } from './peers'

/**
 * SQLite as an event store: one row per event, data and metadata as JSON text, and the
 * indexes the engine's segment indexes answer (event id, type, aggregate, source agent,
 * correlation, time), so reads compare like with like. WAL with synchronous=FULL makes
 * each commit durable before it returns, as the engine's append is.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  sequence INTEGER PRIMARY KEY,
  event_id TEXT NOT NULL UNIQUE,
  event_type TEXT NOT NULL,
  aggregate_id TEXT NOT NULL,
  aggregate_type TEXT NOT NULL,
  timestamp TEXT NOT NULL,
  correlation_id TEXT,
  causation_id TEXT,
  data TEXT NOT NULL,
  metadata TEXT NOT NULL,
  source_agent TEXT,
  source_component TEXT NOT NULL,
  schema_version INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS events_type ON events (event_type, sequence);
CREATE INDEX IF NOT EXISTS events_aggregate ON events (aggregate_id, sequence);
CREATE INDEX IF NOT EXISTS events_agent ON events (source_agent, sequence);
CREATE INDEX IF NOT EXISTS events_correlation ON events (correlation_id, sequence);
CREATE INDEX IF NOT EXISTS events_time ON events (timestamp);
`

interface EventRow extends Omit<StoredEvent, 'data' | 'metadata'> {
  data: string
  metadata: string
}

/** SqliteEvents is one SQLite events database (better-sqlite3: synchronous calls). */
export class SqliteEvents {
  private readonly insert: SqliteStatement
  private readonly insertMany: (events: StoredEvent[]) => void
  private readonly statements = new Map<string, SqliteStatement>()

  constructor(readonly db: SqliteDatabase) {
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = FULL')
    db.exec(SCHEMA)
    this.insert = db.prepare(
      `INSERT INTO events VALUES (@sequence, @event_id, @event_type, @aggregate_id,
        @aggregate_type, @timestamp, @correlation_id, @causation_id, @data, @metadata,
        @source_agent, @source_component, @schema_version)`,
    )
    this.insertMany = db.transaction((events: StoredEvent[]) => {
      for (const event of events) this.insert.run(toRow(event))
    })
  }

  /** add commits one event in its own transaction. */
  add(event: StoredEvent): void {
    this.insert.run(toRow(event))
  }

  /** addAll commits the events in one transaction. */
  addAll(events: StoredEvent[]): void {
    this.insertMany(events)
  }

  /** select runs a query and decodes the rows into events, as a reader would. */
  select(sql: string, ...params: unknown[]): StoredEvent[] {
    let statement = this.statements.get(sql)
    if (statement === undefined) {
      statement = this.db.prepare(sql)
      this.statements.set(sql, statement)
    }
    return statement.all(...params).map((row) => fromRow(row as EventRow))
  }

  /** scan decodes every event in sequence order, one row at a time. */
  scan(onEvent: (event: StoredEvent) => void): void {
    for (const row of this.db.prepare('SELECT * FROM events ORDER BY sequence').iterate()) {
      onEvent(fromRow(row as EventRow))
    }
  }

  close(): void {
    this.db.close()
  }
}

function toRow(event: StoredEvent): EventRow {
  return { ...event, data: JSON.stringify(event.data), metadata: JSON.stringify(event.metadata) }
}

function fromRow(row: EventRow): StoredEvent {
  return {
    ...row,
    data: JSON.parse(row.data) as StoredEvent['data'],
    metadata: JSON.parse(row.metadata) as StoredEvent['metadata'],
  }
}
