import type { HostOptions } from '../host/storeHost'
import { StoreHost } from '../host/storeHost'
import type { StoreClient } from '../rpc/storeClient'
import type { WsBridge } from '../rpc/ws'
import { startWsBridge } from '../rpc/ws'
import { adminRoutes } from './adminRoutes'
import { ApiServer } from './apiServer'
import { AuditLog } from './auditLog'
import { allows } from './scopes'
import { findRendererDir, StaticFiles } from './staticFiles'
import { StoreTelemetry } from './storeTelemetry'
import { attachStreamSocket, type StreamSocket } from './streamSocket'
import { telemetryRoutes } from './telemetryRoutes'
import type { TokenEntry } from './tokenFile'
import { uiRoutes } from './uiRoutes'

/**
 * StoreServer is `serve`: one store, owned by a StoreHost scoped to it (one open store,
 * one writer lock), served over one http.Server. The REST routes read the host's store;
 * the admin routes and the UI's WebSocket bridge (BRIDGE_PATH) go through the host's
 * StoreApi clients, so jobs, subscriptions and pushes are the host's, shared by both.
 *
 * The bridge admits only a browser holding the session cookie (the admin scope): a bearer
 * token does not open it. Its Host and Origin lists come from the server's OriginPolicy.
 */
export interface StoreServerOptions {
  dir: string
  /** Follow the store (another process may write it) and refuse every write route. */
  readOnly: boolean
  /** Reads the tokens, once the store is open (a directory that is not a store gets none). */
  tokens: () => Promise<readonly TokenEntry[]>
  host?: string
  port?: number
  allowHosts?: readonly string[]
  corsOrigin?: string | null
  ratePerSecond?: number
  burst?: number
  /** The built UI; default: found next to the running bundle (findRendererDir). */
  rendererDir?: string | null
  /** Where admin actions and internal errors are told to the operator (stderr). */
  report: (line: string) => void
  /** Worker paths and the SLA calls of the host (tests inject them). */
  hostOptions?: HostOptions
}

export class StoreServer {
  private closed: Promise<void> | null = null

  private constructor(
    readonly api: ApiServer,
    private readonly bridge: WsBridge,
    private readonly streams: StreamSocket,
    private readonly adminClient: StoreClient,
    private readonly host: StoreHost,
  ) {}

  static async start(options: StoreServerOptions): Promise<StoreServer> {
    const { report } = options
    const host = await StoreHost.forStore(options.dir, options.readOnly ? 'follow' : 'write', {
      log: (message, error) =>
        report(`serve: ${message}${error === undefined ? '' : `: ${describe(error)}`}`),
      ...options.hostOptions,
    })
    try {
      const [summary] = host.listOpen()
      const hosted = host.hosted(summary!.handle)
      const store = () => hosted.store
      // The admin routes' client; its pushes (jobs, summaries) are for UIs, not for it.
      const adminClient = host.connect(() => undefined)
      let connections = (): number => 0
      const telemetry = new StoreTelemetry(store, () => connections())
      const rendererDir =
        options.rendererDir === undefined ? findRendererDir() : options.rendererDir
      const files = rendererDir === null ? null : new StaticFiles(rendererDir)
      const api = await ApiServer.start({
        ...options,
        tokens: await options.tokens(),
        store,
        routes: (sessions) => [
          ...telemetryRoutes(telemetry),
          ...adminRoutes({
            api: adminClient,
            handle: hosted.handle,
            audit: new AuditLog(hosted.path, (line) => report(`serve: ${line}`)),
          }),
          ...uiRoutes(sessions, files),
        ],
        onInternalError: (error) => report(`serve: internal error: ${describe(error)}`),
      })
      connections = () => api.activeConnections
      const bridge = await startWsBridge({
        server: api.httpServer,
        connect: (sink) => host.connect(sink),
        authorize: (request) => {
          const session = api.sessions.identify(request.headers.cookie)
          return session !== null && allows(session, 'admin')
        },
        allowedHosts: api.policy.hostNames,
        allowedOrigins: api.policy.bridgeOrigins(api.port),
        onInternalError: (method, error) =>
          report(`serve: bridge call ${method} failed: ${describe(error)}`),
      })
      const streams = attachStreamSocket(api, store)
      return new StoreServer(api, bridge, streams, adminClient, host)
    } catch (error) {
      await host.close()
      throw error
    }
  }

  get url(): string {
    return this.api.url
  }

  get loginUrl(): string | null {
    return this.api.loginUrl
  }

  /**
   * close (once; later calls wait for the first) ends the bridge's and /stream's connections, lets HTTP requests in flight finish (every
   * acknowledged append is durable), then closes the host and with it the store.
   */
  close(): Promise<void> {
    this.closed ??= this.shut()
    return this.closed
  }

  private async shut(): Promise<void> {
    await this.bridge.close()
    await this.streams.close()
    await this.api.close()
    await this.adminClient.close()
    await this.host.close()
  }
}

/** describe puts an unexpected error in the operator's log with its stack when it has one. */
function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : JSON.stringify(error)
}
