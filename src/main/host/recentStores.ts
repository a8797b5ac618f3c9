import { mkdir, readdir, readFile, stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import type { LoadSettings, RecentStore, StoreAccess } from '../../shared/storeApi'
import { writeFileDurably } from '../engine/fileSystem'
import { nodeFileSystem } from '../engine/nodeFileSystem'
import { STORE_FILE } from '../engine/storeDirectory'
import type { HostLog } from './hostResult'
import { CONFIG_FILE_BYTES_MAX, RECENT_STORES_MAX } from './hostLimits'

/**
 * RecentStores remembers the stores opened lately, newest first, and the settings of each
 * (how it was last opened, the last load generator settings), in one JSON file of the
 * config directory. The list holds at most RECENT_STORES_MAX stores and a store's settings
 * go with it, so the file stays small. Each save writes the whole file durably (temp,
 * fsync, rename, fsync dir), one save at a time. A file that cannot be read back (damaged,
 * foreign, too large) is logged and replaced: a config file is never a reason not to start.
 */
export const CONFIG_FILE = 'stores.json'
const CONFIG_FORMAT = 'lighthouse-host-stores'

export interface StoreSettings {
  access: StoreAccess
  load?: LoadSettings
}

interface RecentEntry {
  path: string
  last_opened_at: string
  settings: StoreSettings
}

interface ConfigFile {
  format: typeof CONFIG_FORMAT
  version: 1
  stores: RecentEntry[]
}

export class RecentStores {
  private saving: Promise<void> = Promise.resolve()

  private constructor(
    private readonly configDir: string,
    private entries: RecentEntry[],
  ) {}

  static async load(configDir: string, log: HostLog): Promise<RecentStores> {
    const path = join(configDir, CONFIG_FILE)
    const entries = await readEntries(path).catch((error: unknown) => {
      log(`${path} could not be read and is replaced by an empty list of recent stores`, error)
      return null
    })
    const recent = new RecentStores(configDir, entries ?? [])
    if (entries === null) await recent.save()
    return recent
  }

  /** remember puts the store first in the list, keeping its other settings. */
  async remember(path: string, access: StoreAccess, nowMs = Date.now()): Promise<void> {
    const previous = this.entries.find((entry) => entry.path === path)
    const entry: RecentEntry = {
      path,
      last_opened_at: new Date(nowMs).toISOString(),
      settings: { ...previous?.settings, access },
    }
    this.entries = [entry, ...this.entries.filter((e) => e.path !== path)].slice(
      0,
      RECENT_STORES_MAX,
    )
    await this.save()
  }

  settingsOf(path: string): StoreSettings | null {
    return this.entries.find((entry) => entry.path === path)?.settings ?? null
  }

  /** updateSettings changes the settings of a store in the list (others are not kept). */
  async updateSettings(path: string, patch: Partial<StoreSettings>): Promise<void> {
    const entry = this.entries.find((e) => e.path === path)
    if (!entry) return
    entry.settings = { ...entry.settings, ...patch }
    await this.save()
  }

  /** list describes each remembered store as it is on disk now. */
  async list(): Promise<RecentStore[]> {
    return Promise.all(
      this.entries.map(async (entry) => {
        const size = await storeSize(entry.path)
        return {
          path: entry.path,
          name: basename(entry.path),
          size_bytes: size,
          last_opened_at: entry.last_opened_at,
          exists: size !== null,
        }
      }),
    )
  }

  private save(): Promise<void> {
    const file: ConfigFile = { format: CONFIG_FORMAT, version: 1, stores: this.entries }
    const bytes = Buffer.from(`${JSON.stringify(file, null, 2)}\n`)
    const write = async (): Promise<void> => {
      await mkdir(this.configDir, { recursive: true })
      await writeFileDurably(nodeFileSystem, this.configDir, CONFIG_FILE, bytes)
    }
    const saved = this.saving.then(write)
    this.saving = saved.catch(() => undefined)
    return saved
  }
}

/** readEntries loads the list: [] when there is no file yet, a throw when it is damaged. */
async function readEntries(path: string): Promise<RecentEntry[]> {
  const size = await stat(path).then(
    (s) => s.size,
    () => null,
  )
  if (size === null) return []
  if (size > CONFIG_FILE_BYTES_MAX) {
    throw new Error(
      `it has ${size} bytes, over the limit of ${CONFIG_FILE_BYTES_MAX} (CONFIG_FILE_BYTES_MAX)`,
    )
  }
  const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<ConfigFile>
  if (parsed.format !== CONFIG_FORMAT || parsed.version !== 1 || !Array.isArray(parsed.stores)) {
    throw new Error(`it is not a version 1 ${CONFIG_FORMAT} file`)
  }
  return parsed.stores.filter(isEntry).slice(0, RECENT_STORES_MAX)
}

function isEntry(value: unknown): value is RecentEntry {
  const entry = value as Partial<RecentEntry> | null
  return (
    typeof entry?.path === 'string' &&
    typeof entry.last_opened_at === 'string' &&
    (entry.settings?.access === 'write' || entry.settings?.access === 'follow')
  )
}

/** storeSize adds up the files of a store directory, or null when it is not a store now. */
async function storeSize(dir: string): Promise<number | null> {
  try {
    await stat(join(dir, STORE_FILE))
    let bytes = 0
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.isFile()) bytes += (await stat(join(dir, entry.name))).size
    }
    return bytes
  } catch {
    return null
  }
}
