import type { StoreHandle } from '../../shared/storeApi'
import type { StoreClient } from '../rpc/storeClient'
import type { WsBridge } from '../rpc/ws'
import { startWsBridge } from '../rpc/ws'
import type { StoreHost } from '../host/storeHost'
import { adminRoutes } from './adminRoutes'
import { ApiServer, type ApiServerOptions } from './apiServer'
import { AuditLog } from './auditLog'
import { allows } from './scopes'
import { findRendererDir, StaticFiles } from './staticFiles'
import { StoreTelemetry } from './storeTelemetry'
import { attachStreamSocket, type StreamSocket } from './streamSocket'
import { telemetryRoutes } from './telemetryRoutes'
import { uiRoutes } from './uiRoutes'

/**
 * HostServer serves one store of a running StoreHost over one http.Server: the REST
 * routes read the host's store; the admin routes and the UI's WebSocket bridge
 * (BRIDGE_PATH) go through the host's StoreApi clients, so jobs, subscriptions and pushes
 * are the host's. Every client it connects is scoped to its store, so a host that has
 * other stores open (the desktop app) shows the bridge that one store only.
 *
 * The bridge admits only a browser holding the session cookie (the admin scope): a bearer
 * token does not open it. Its Host and Origin lists come from the server's OriginPolicy.
 *
 * It only imports the host's type: the host starts HostServers for the app
 * (hostedServers.ts), so a value import here would be a cycle.
 */
export interface HostServerOptions extends Omit<
  ApiServerOptions,
  'store' | 'routes' | 'onInternalError'
> {
  storeHost: StoreHost
  handle: StoreHandle
  /** The built UI; default: found next to the running bundle (findRendererDir). */
  rendererDir?: string | null
  /** Where admin actions and internal errors are told to the operator. */
  report: (line: string) => void
}

export class HostServer {
  private closed: Promise<void> | null = null

  private constructor(
    readonly api: ApiServer,
    private readonly bridge: WsBridge,
    private readonly streams: StreamSocket,
    private readonly adminClient: StoreClient,
  ) {}

  /** attach starts serving a store the host has open, and resolves once it listens. */
  static async attach(options: HostServerOptions): Promise<HostServer> {
    const { storeHost: host, handle, report } = options
    const hosted = host.hosted(handle)
    const store = () => hosted.store
    // The admin routes' client; its pushes (jobs, summaries) are for UIs, not for it.
    const adminClient = host.connect(() => undefined, handle)
    let api: ApiServer | null = null
    try {
      const telemetry = new StoreTelemetry(store, () => api?.activeConnections ?? 0)
      const rendererDir =
        options.rendererDir === undefined ? findRendererDir() : options.rendererDir
      const files = rendererDir === null ? null : new StaticFiles(rendererDir)
      api = await ApiServer.start({
        ...options,
        store,
        routes: (sessions) => [
          ...telemetryRoutes(telemetry),
          ...adminRoutes({
            api: adminClient,
            handle,
            audit: new AuditLog(hosted.path, (line) => report(`serve: ${line}`)),
          }),
          ...uiRoutes(sessions, files),
        ],
        onInternalError: (error) => report(`serve: internal error: ${describe(error)}`),
      })
      const served = api
      const bridge = await startWsBridge({
        server: served.httpServer,
        connect: (sink) => host.connect(sink, handle),
        authorize: (request) => {
          const session = served.sessions.identify(request.headers.cookie)
          return session !== null && allows(session, 'admin')
        },
        allowedHosts: served.policy.hostNames,
        allowedOrigins: served.policy.bridgeOrigins(served.port),
        onInternalError: (method, error) =>
          report(`serve: bridge call ${method} failed: ${describe(error)}`),
      })
      const streams = attachStreamSocket(served, store)
      return new HostServer(served, bridge, streams, adminClient)
    } catch (error) {
      await api?.close()
      await adminClient.close()
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
   * close (once; later calls wait for the first) ends the bridge's and /stream's
   * connections and lets HTTP requests in flight finish (every acknowledged append is
   * durable). The host and its store stay open.
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
  }
}

/** describe puts an unexpected error in the operator's log with its stack when it has one. */
export function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : JSON.stringify(error)
}
