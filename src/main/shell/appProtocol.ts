/**
 * The app protocol serves the built inspector page as lighthouse://app/… instead of
 * file://, so the page has a real origin of its own (that IPC and the CSP can name), reads
 * no file outside out/renderer, and gets its Content-Security-Policy as a header that
 * the page cannot remove.
 */
import { readFile, realpath } from 'node:fs/promises'
import { extname, isAbsolute, relative, resolve, sep } from 'node:path'

export const APP_SCHEME = 'lighthouse'
export const APP_HOST = 'app'
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`

/**
 * Privileges of the app scheme, registered before the app is ready: standard (relative
 * URLs and storage work), secure (like https) and fetch. It never bypasses the CSP.
 */
export const APP_SCHEME_PRIVILEGES = Object.freeze({
  standard: true,
  secure: true,
  supportFetchAPI: true,
})

/**
 * The page's policy: its own scripts and nothing inline or evaluated; no network at all
 * (the store is reached over IPC), so connect-src is the app itself. Inline styles stay
 * allowed because the chart library sets them.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ')

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
}

/**
 * resolveAppFile maps an app URL to a file inside rendererDir, or returns null for any
 * other scheme, host, or a path that leaves the directory (`..`, encoded or not).
 */
export function resolveAppFile(rendererDir: string, url: string): string | null {
  if (!URL.canParse(url)) return null
  const parsed = new URL(url)
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return null
  let pathname: string
  try {
    pathname = decodeURIComponent(parsed.pathname)
  } catch {
    return null
  }
  if (pathname.includes('\0')) return null
  const file = resolve(rendererDir, `.${pathname === '/' ? '/index.html' : pathname}`)
  return isInside(rendererDir, file) ? file : null
}

/** AppProtocolHandler answers one request of the app scheme (protocol.handle's handler). */
export type AppProtocolHandler = (request: Request) => Promise<Response>

/** createAppProtocolHandler serves the files of rendererDir, with the CSP on every answer. */
export function createAppProtocolHandler(rendererDir: string): AppProtocolHandler {
  const root = resolve(rendererDir)
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return answer(405)
    const file = resolveAppFile(root, request.url)
    if (file === null) return answer(404)
    try {
      // A symbolic link inside the directory must not lead out of it either.
      const [realRoot, realFile] = await Promise.all([realpath(root), realpath(file)])
      if (!isInside(realRoot, realFile)) return answer(404)
      const body = await readFile(realFile)
      const contentType = CONTENT_TYPES[extname(realFile)] ?? 'application/octet-stream'
      return answer(200, request.method === 'HEAD' ? null : body, contentType)
    } catch {
      return answer(404)
    }
  }
}

function isInside(dir: string, file: string): boolean {
  const path = relative(dir, file)
  return path !== '' && path !== '..' && !path.startsWith(`..${sep}`) && !isAbsolute(path)
}

function answer(status: number, body: Buffer | null = null, contentType = 'text/plain'): Response {
  return new Response(body, {
    status,
    headers: {
      'Content-Type': contentType,
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
    },
  })
}
