import type { ServerResponse } from 'node:http'
import type { HttpError } from './httpIo'
import type { Route } from './route'
import { Sessions } from './sessions'
import type { StaticFile, StaticFiles } from './staticFiles'

/**
 * The inspector served to a browser, behind the login session (DESIGN.md Contracts):
 * GET /login?token=… trades `serve`'s single-use login token for the HttpOnly,
 * SameSite=Strict session cookie and redirects to `/`; `/` and /assets/* need that cookie
 * (the admin scope), and without it `/` answers a short page saying where the login URL
 * is, never the app. Every answer carries a strict Content-Security-Policy whose
 * connect-src names the bridge on the host the page was loaded from (a Host the pipeline
 * has already checked against the allow-list).
 */
export function uiRoutes(sessions: Sessions, files: StaticFiles | null): Route[] {
  return [
    {
      method: 'GET',
      path: '/login',
      // The login is the authentication itself; a wrong or used token gets a page.
      scope: null,
      handle({ url, response, request }) {
        const session = sessions.redeem(url.searchParams.get('token') ?? '')
        if (session === null) {
          sendPage(
            response,
            401,
            request.headers.host,
            'This login link is not valid or was already used',
            'Each login link works once. Restart `lighthouse-store serve` to get a new one, or keep using the browser you logged in with.',
          )
          return
        }
        response.writeHead(303, {
          location: '/',
          'set-cookie': Sessions.cookie(session),
          'cache-control': 'no-store',
        })
        response.end()
      },
    },
    {
      method: 'GET',
      path: '/',
      scope: 'admin',
      sendError: refusalPage,
      async handle({ request, response }) {
        const page = files === null ? null : await files.index()
        if (page === null) {
          sendPage(
            response,
            503,
            request.headers.host,
            'The inspector is not built',
            'Run `npm run build` in the project, then start `lighthouse-store serve` again.',
          )
          return
        }
        sendFile(response, request.headers.host, page)
      },
    },
    {
      method: 'GET',
      path: '/assets/:file',
      scope: 'admin',
      sendError: refusalPage,
      async handle({ request, response, params }) {
        const file = files === null ? null : await files.asset(params['file']!)
        if (file === null) {
          sendPage(response, 404, request.headers.host, 'Not found', 'There is no such file.')
          return
        }
        sendFile(response, request.headers.host, file)
      },
    },
  ]
}

/** contentSecurityPolicy allows our own scripts and styles and the bridge on `host`. */
export function contentSecurityPolicy(host: string | undefined): string {
  const bridge = host === undefined ? '' : ` ws://${host} wss://${host}`
  return [
    "default-src 'self'",
    "script-src 'self'",
    // React and recharts set style attributes; no script can run from a style.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    `connect-src 'self'${bridge}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ')
}

function uiHeaders(host: string | undefined): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(host),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  }
}

function sendFile(response: ServerResponse, host: string | undefined, file: StaticFile): void {
  response.writeHead(200, {
    ...uiHeaders(host),
    'content-type': file.contentType,
    'content-length': file.body.length,
    'cache-control': file.cacheControl,
  })
  response.end(file.body)
}

/** refusalPage answers a browser that may not see the UI with a page, not JSON. */
function refusalPage(response: ServerResponse, error: HttpError): void {
  const [title, text] =
    error.status === 401
      ? [
          'Log in first',
          'Open the login URL that `lighthouse-store serve` printed when it started (it works once).',
        ]
      : [error.body.message, `The server answered ${error.status} (${error.body.code}).`]
  sendPage(response, error.status, undefined, title, text, error.headers)
}

/** sendPage answers with a minimal HTML page: a heading and one sentence. */
function sendPage(
  response: ServerResponse,
  status: number,
  host: string | undefined,
  title: string,
  text: string,
  headers: Record<string, string> = {},
): void {
  const html =
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
    `<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></body></html>\n`
  response.writeHead(status, {
    ...headers,
    ...uiHeaders(host),
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'cache-control': 'no-store',
  })
  response.end(html)
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
}
