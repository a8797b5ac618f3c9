/**
 * The WebSocket transport (BRIDGE_PATH): the same dispatcher and pushes as Electron IPC,
 * as JSON text frames (wireProtocol.ts), for the UI served to a browser. A connection is
 * admitted only with an allowed Host header (DNS rebinding), an allowed or absent Origin
 * (cross-site pages) and the caller's authorization, in that order. Over this transport
 * the host shows one store, so the browsing methods answer `not_available`. Every
 * connection is bounded: message size, calls in flight, bytes waiting to be sent.
 */
import { STATUS_CODES, createServer } from 'node:http'
import type { IncomingMessage, Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { WebSocketServer } from 'ws'
import type { ErrorCode } from '../../shared/errorCodes'
import type { StoreApiMethod } from '../../shared/storeApi'
import { BROWSING_METHODS } from '../../shared/storeApi'
import { BRIDGE_MESSAGE_BYTES_MAX, BRIDGE_PATH } from '../../shared/wireProtocol'
import type { Authorize } from './bridgeToken'
import type { ConnectStore } from './storeClient'
import { CLOSE_GOING_AWAY, serveConnection } from './wsConnection'

/** Most open bridge connections; more are refused with 503. */
export const BRIDGE_CONNECTIONS_MAX = 64

const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]']

export interface WsBridgeOptions {
  connect: ConnectStore
  /** Decides whether an upgrade request may connect (createTokenAuthorizer by default). */
  authorize: Authorize
  /** Serve upgrades on this server's BRIDGE_PATH; without it the bridge listens itself. */
  server?: Server
  /** Where the bridge listens when it has no server: 127.0.0.1 and any free port. */
  host?: string
  port?: number
  /** Names accepted in the Host header, with the server's port or none. Loopback names and `host` by default. */
  allowedHosts?: readonly string[]
  /** Origins accepted (a request without one is not from a browser). http://<allowed host>:<port> by default. */
  allowedOrigins?: readonly string[]
  /** Methods answered `not_available`: browsing (one store per served host) by default. */
  unavailable?: readonly StoreApiMethod[]
  onInternalError?: (method: StoreApiMethod, error: unknown) => void
}

export interface WsBridge {
  /** The port of the server the bridge is on. */
  readonly port: number
  /** Closes every connection; closes the server too when the bridge made it. */
  close(): Promise<void>
}

/** startWsBridge serves the bridge and resolves once it accepts connections. */
export async function startWsBridge(options: WsBridgeOptions): Promise<WsBridge> {
  const host = options.host ?? '127.0.0.1'
  const ownServer = options.server === undefined
  const server = options.server ?? (await listen(host, options.port ?? 0))
  const serverPort = (): number => (server.address() as AddressInfo).port
  const allowedHosts = new Set(
    (options.allowedHosts ?? [...LOOPBACK_HOSTS, bracketed(host)]).map((name) =>
      name.toLowerCase(),
    ),
  )
  const allowedOrigins = (): ReadonlySet<string> =>
    new Set(
      options.allowedOrigins ?? [...allowedHosts].map((name) => `http://${name}:${serverPort()}`),
    )
  const wss = new WebSocketServer({ noServer: true, maxPayload: BRIDGE_MESSAGE_BYTES_MAX })
  const unavailable = options.unavailable ?? BROWSING_METHODS

  const admit = async (request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    if (!hostAllowed(request.headers.host, allowedHosts, serverPort())) {
      return refuse(
        socket,
        403,
        'forbidden',
        'The Host header names a host this bridge does not serve.',
      )
    }
    const origin = request.headers.origin
    if (origin !== undefined && !allowedOrigins().has(origin)) {
      return refuse(socket, 403, 'forbidden', 'Pages from this origin may not use the bridge.')
    }
    if (wss.clients.size >= BRIDGE_CONNECTIONS_MAX) {
      return refuse(
        socket,
        503,
        'overloaded',
        `The bridge already has ${BRIDGE_CONNECTIONS_MAX} connections.`,
      )
    }
    if (!(await authorized(options.authorize, request))) {
      return refuse(socket, 401, 'unauthorized', 'The bridge needs a valid token.')
    }
    if (socket.destroyed) return
    wss.handleUpgrade(request, socket, head, (ws) => {
      serveConnection(ws, { ...options, unavailable })
    })
  }

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (pathOf(request.url) !== BRIDGE_PATH) {
      // On a shared server another handler may own this path; on our own, nobody does.
      if (ownServer) refuse(socket, 404, 'not_found', `The bridge is at ${BRIDGE_PATH}.`)
      return
    }
    // A client that resets while we wait for authorize must not crash the process.
    socket.on('error', () => socket.destroy())
    admit(request, socket, head).catch((error: unknown) => {
      console.error('Lighthouse Store: a bridge connection failed to open:', error)
      socket.destroy()
    })
  }
  server.on('upgrade', onUpgrade)

  return {
    port: serverPort(),
    close: async () => {
      server.off('upgrade', onUpgrade)
      for (const ws of wss.clients) ws.close(CLOSE_GOING_AWAY, 'The bridge is shutting down.')
      await new Promise<void>((resolve) => wss.close(() => resolve()))
      if (ownServer) {
        server.closeAllConnections()
        await new Promise<void>((resolve, reject) =>
          server.close((error) => (error === undefined ? resolve() : reject(error))),
        )
      }
    },
  }
}

async function listen(host: string, port: number): Promise<Server> {
  // The bridge's own server answers nothing but upgrades on BRIDGE_PATH.
  const server = createServer((_request, response) => {
    response.writeHead(404).end()
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  return server
}

async function authorized(authorize: Authorize, request: IncomingMessage): Promise<boolean> {
  try {
    return (await authorize(request)) === true
  } catch (error) {
    console.error("Lighthouse Store: the bridge could not check a request's credentials:", error)
    return false
  }
}

/**
 * hostAllowed accepts an allowed name, alone or with the server's own port. The HTTP
 * server's OriginPolicy uses it too, so the API and the bridge judge Host headers alike.
 */
export function hostAllowed(
  header: string | undefined,
  allowed: ReadonlySet<string>,
  port: number,
): boolean {
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(header?.toLowerCase() ?? '')
  if (match === null) return false
  if (match[2] !== undefined && Number(match[2]) !== port) return false
  return allowed.has(match[1] ?? '')
}

/** bracketed writes an IPv6 address as it appears in a Host header. */
export function bracketed(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host
}

function pathOf(url: string | undefined): string | null {
  if (url === undefined || !URL.canParse(url, 'http://localhost')) return null
  return new URL(url, 'http://localhost').pathname
}

/** refuse answers an upgrade request with a plain HTTP error and closes the socket. */
export function refuse(socket: Duplex, status: number, code: ErrorCode, message: string): void {
  const body = JSON.stringify({ code, message })
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
      'Connection: close\r\nContent-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  )
}
