import { randomUUID } from 'node:crypto'
import { dirname } from 'node:path'
import type { FileSystem } from './fileSystem'
import { writeFileDurably } from './fileSystem'
import { StoreError } from './errors'

/**
 * A store directory holds store.json (its identity; its presence is what makes a
 * directory a store), the segment files, LOCK while a writer has it open, CLEAN after a
 * clean shutdown, quarantine/ for bytes that recovery removed, and reports/.
 */
export const STORE_FILE = 'store.json'
export const CLEAN_FILE = 'CLEAN'
export const QUARANTINE_DIR = 'quarantine'
export const REPORTS_DIR = 'reports'
export const STORE_FORMAT = 'lighthouse-store'

export interface StoreIdentity {
  format: typeof STORE_FORMAT
  version: 1
  store_id: string
  created_at: string
}

/** readIdentity loads store.json, or explains why the directory is not a store. */
export async function readIdentity(fs: FileSystem, dir: string): Promise<StoreIdentity> {
  let bytes: Buffer
  try {
    bytes = await fs.readFile(`${dir}/${STORE_FILE}`)
  } catch {
    const names = await fs.readdir(dir).catch(() => null)
    const what = names === null ? 'does not exist or cannot be read' : 'has no store.json'
    throw new StoreError('not_a_store', `${dir} is not a Lighthouse store: it ${what}.`)
  }
  let parsed: Partial<StoreIdentity>
  try {
    parsed = JSON.parse(bytes.toString('utf8')) as Partial<StoreIdentity>
  } catch {
    throw new StoreError('not_a_store', `${dir}/${STORE_FILE} is not valid JSON.`)
  }
  if (
    parsed.format !== STORE_FORMAT ||
    parsed.version !== 1 ||
    typeof parsed.store_id !== 'string' ||
    !/^[0-9a-f]{32}$/.test(parsed.store_id)
  ) {
    throw new StoreError(
      'not_a_store',
      `${dir}/${STORE_FILE} does not describe a version 1 Lighthouse store.`,
    )
  }
  return parsed as StoreIdentity
}

/** createStoreDirectory makes `dir` a new, empty store; it must be missing or empty. */
export async function createStoreDirectory(
  fs: FileSystem,
  dir: string,
  nowMs: () => number,
): Promise<StoreIdentity> {
  const names = (await fs.readdir(dir))?.filter((name) => name !== `${STORE_FILE}.tmp`)
  if (names && names.length > 0) {
    throw new StoreError('not_a_store', `${dir} is not empty and is not a Lighthouse store.`)
  }
  const created = await missingDirectories(fs, dir)
  await fs.mkdir(dir)
  const identity: StoreIdentity = {
    format: STORE_FORMAT,
    version: 1,
    store_id: randomUUID().replace(/-/g, ''),
    created_at: new Date(nowMs()).toISOString(),
  }
  await writeFileDurably(fs, dir, STORE_FILE, Buffer.from(`${JSON.stringify(identity, null, 2)}\n`))
  // Each new directory exists for sure only once the directory holding its entry is synced.
  for (const made of created) await fs.syncDir(dirname(made))
  return identity
}

/** missingDirectories lists `dir` and its ancestors that do not exist yet, outermost first. */
async function missingDirectories(fs: FileSystem, dir: string): Promise<string[]> {
  const missing: string[] = []
  for (let at = dir; (await fs.readdir(at)) === null; at = dirname(at)) {
    missing.unshift(at)
    if (dirname(at) === at) break
  }
  return missing
}
