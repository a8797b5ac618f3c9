import * as fs from 'node:fs'
import { join } from 'node:path'
import type { EventInput } from '../../src/shared/event'
import { EventStore } from '../../src/main/engine/eventStore'
import { storedEvent } from './benchEvents'
import type { LevelWrite, Peers } from './peers'
import { SqliteEvents } from './sqliteEvents'

/**
 * An EventWriter is one contender of the append groups, opened on an empty directory. Every
 * acknowledged append is durable: the engine fsyncs before it acknowledges, SQLite commits
 * with synchronous=FULL, LevelDB writes with sync:true.
 */
export interface EventWriter {
  append(event: EventInput): Promise<void>
  appendBatch(events: EventInput[]): Promise<void>
  close(): Promise<void>
}

export type OpenWriter = (dir: string) => Promise<EventWriter>

export const openEngineWriter: OpenWriter = async (dir) => {
  const store = await EventStore.open(join(dir, 'store'), { create: true, nodeId: 'bench' })
  return {
    append: async (event) => void (await store.append(event)),
    appendBatch: async (events) => void (await store.appendBatch(events)),
    close: () => store.close(),
  }
}

/** SQLite's calls are synchronous: concurrent appenders simply take turns. */
export function sqliteWriter(peers: Peers): OpenWriter {
  return async (dir) => {
    const db = new SqliteEvents(peers.openSqlite(join(dir, 'events.sqlite')))
    let sequence = 0
    return {
      append: async (event) => db.add(storedEvent(event, ++sequence)),
      appendBatch: async (events) => db.addAll(events.map((e) => storedEvent(e, ++sequence))),
      close: async () => db.close(),
    }
  }
}

/** LevelDB: key = sequence (8 bytes, big-endian), value = the event as JSON. */
export function levelWriter(peers: Peers): OpenWriter {
  return async (dir) => {
    const db = peers.openLevel(join(dir, 'level'))
    await db.open()
    let sequence = 0
    const entry = (event: EventInput): LevelWrite => {
      const stored = storedEvent(event, ++sequence)
      const key = Buffer.alloc(8)
      key.writeBigUInt64BE(BigInt(stored.sequence))
      return { type: 'put', key, value: JSON.stringify(stored) }
    }
    return {
      append: async (event) => {
        const { key, value } = entry(event)
        await db.put(key, value, { sync: true })
      },
      appendBatch: (events) => db.batch(events.map(entry), { sync: true }),
      close: () => db.close(),
    }
  }
}

/**
 * rawWriter is the physical floor: the engine's encoded records (prepared beforehand)
 * written at the end of one file, each write followed by fdatasync, with the callback API
 * (as the engine does) or the synchronous one (as SQLite does).
 */
export function rawWriter(records: Buffer[], mode: 'async' | 'sync'): OpenWriter {
  return async (dir) => {
    const fd = fs.openSync(join(dir, 'raw.log'), 'w')
    let position = 0
    let next = 0
    const write = async (count: number) => {
      const bytes = Buffer.concat(records.slice(next, next + count))
      next = (next + count) % records.length
      if (mode === 'sync') {
        fs.writeSync(fd, bytes, 0, bytes.length, position)
        fs.fdatasyncSync(fd)
      } else {
        await new Promise<void>((resolve, reject) =>
          fs.write(fd, bytes, 0, bytes.length, position, (e) => (e ? reject(e) : resolve())),
        )
        await new Promise<void>((resolve, reject) =>
          fs.fdatasync(fd, (e) => (e ? reject(e) : resolve())),
        )
      }
      position += bytes.length
    }
    return {
      append: () => write(1),
      appendBatch: (events) => write(events.length),
      close: async () => fs.closeSync(fd),
    }
  }
}
