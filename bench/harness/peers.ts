import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

/**
 * The peers (better-sqlite3, classic-level) live in bench/node_modules, outside the app's
 * install, and are loaded at run time from there. The harness types only the calls it
 * makes, so typechecking and building never need the bench install.
 */
export interface SqliteStatement {
  run(...params: unknown[]): unknown
  get(...params: unknown[]): unknown
  all(...params: unknown[]): unknown[]
  iterate(...params: unknown[]): IterableIterator<unknown>
}

export interface SqliteDatabase {
  pragma(source: string): unknown
  exec(source: string): unknown
  prepare(source: string): SqliteStatement
  transaction<A extends unknown[]>(run: (...args: A) => void): (...args: A) => void
  close(): unknown
}

export interface LevelWrite {
  type: 'put'
  key: Buffer
  value: string
}

export interface LevelDatabase {
  open(): Promise<void>
  put(key: Buffer, value: string, options: { sync: boolean }): Promise<void>
  batch(operations: LevelWrite[], options: { sync: boolean }): Promise<void>
  close(): Promise<void>
}

export interface Peers {
  openSqlite(path: string): SqliteDatabase
  openLevel(path: string): LevelDatabase
}

/** benchDirectory finds bench/ (the folder holding this package.json) above `from`. */
export function benchDirectory(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'bench', 'package.json'))) return join(dir, 'bench')
    if (dirname(dir) === dir) throw new Error(`No bench/package.json above ${from}.`)
  }
}

type SqliteConstructor = new (path: string) => SqliteDatabase
type LevelConstructor = new (path: string, options: object) => LevelDatabase

/** loadPeers requires the peers from bench/node_modules, or says how to install them. */
export function loadPeers(benchDir: string): Peers {
  if (!existsSync(join(benchDir, 'node_modules'))) {
    throw new Error(`The peers are not installed: run npm ci --prefix ${benchDir}`)
  }
  const require = createRequire(join(benchDir, 'package.json'))
  const Sqlite = require('better-sqlite3') as SqliteConstructor
  const { ClassicLevel } = require('classic-level') as { ClassicLevel: LevelConstructor }
  return {
    openSqlite: (path) => new Sqlite(path),
    openLevel: (path) => new ClassicLevel(path, { keyEncoding: 'buffer', valueEncoding: 'utf8' }),
  }
}
