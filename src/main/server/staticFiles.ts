import { existsSync } from 'node:fs'
import { readFile, realpath, stat } from 'node:fs/promises'
import { extname, join, sep } from 'node:path'

/**
 * StaticFiles serves the built inspector (out/renderer) and nothing else. A request names
 * at most one file name under assets/ (or the page itself); the name must be plain
 * (letters, digits, `.`, `_`, `-`, not starting with a dot), and the file's real path,
 * symlinks resolved, must lie inside the directory, so neither `..` (raw or encoded) nor a
 * symlink can reach a file outside it.
 */

/** Largest file served; the built assets are far smaller. */
export const STATIC_FILE_BYTES_MAX = 16 * 1024 * 1024
/** A hashed asset never changes under its name, so a browser may keep it this long. */
export const IMMUTABLE_MAX_AGE_SECONDS = 365 * 24 * 60 * 60

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
}
const PLAIN_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/
/** Vite's output names: name-<hash>.ext, the hash at least 8 URL-safe characters. */
const HASHED_NAME = /-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/

export interface StaticFile {
  body: Buffer
  contentType: string
  cacheControl: string
}

export class StaticFiles {
  constructor(private readonly root: string) {}

  /** index is the page, or null when the UI is not built. */
  index(): Promise<StaticFile | null> {
    return this.read('index.html')
  }

  /** asset is a file of assets/, or null for a name that is not plain or not there. */
  asset(name: string): Promise<StaticFile | null> {
    if (!PLAIN_NAME.test(name)) return Promise.resolve(null)
    return this.read(`assets/${name}`)
  }

  private async read(relative: string): Promise<StaticFile | null> {
    const path = await this.inside(join(this.root, relative))
    if (path === null) return null
    const info = await stat(path)
    if (!info.isFile() || info.size > STATIC_FILE_BYTES_MAX) return null
    const name = relative.slice(relative.lastIndexOf('/') + 1)
    return {
      body: await readFile(path),
      contentType: CONTENT_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream',
      cacheControl: HASHED_NAME.test(name)
        ? `private, max-age=${IMMUTABLE_MAX_AGE_SECONDS}, immutable`
        : 'no-cache',
    }
  }

  /** inside resolves symlinks and returns the real path when it is within the root. */
  private async inside(path: string): Promise<string | null> {
    const [root, real] = await Promise.all([
      realpath(this.root).catch(() => null),
      realpath(path).catch(() => null),
    ])
    if (root === null || real === null) return null
    return real.startsWith(root + sep) ? real : null
  }
}

/**
 * findRendererDir locates the built UI at run time: out/renderer is a sibling of out/main,
 * where the built CLI runs (out/main/cli.js, or a chunk in out/main/chunks/); from the
 * TypeScript sources (tests) it is the project's out/renderer. Null when it is not built.
 */
export function findRendererDir(): string | null {
  const candidates = [
    join(__dirname, '..', 'renderer'),
    join(__dirname, '..', '..', 'renderer'),
    join(__dirname, '..', '..', '..', 'out', 'renderer'),
  ]
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? null
}
