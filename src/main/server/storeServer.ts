import type { HostOptions } from '../host/storeHost'
import { StoreHost } from '../host/storeHost'
import type { ApiServer } from './apiServer'
import { describe, HostServer, type HostServerOptions } from './hostServer'
import type { TokenEntry } from './tokenFile'

/**
 * StoreServer is `serve`: one store, owned by a StoreHost scoped to it (one open store,
 * one writer lock), served by a HostServer. Closing it closes the host and the store; the
 * desktop app, whose host already has the store open, uses HostServer.attach instead.
 */
export interface StoreServerOptions extends Omit<
  HostServerOptions,
  'storeHost' | 'handle' | 'tokens' | 'readOnly'
> {
  dir: string
  /** Follow the store (another process may write it) and refuse every write route. */
  readOnly: boolean
  /** Reads the tokens, once the store is open (a directory that is not a store gets none). */
  tokens: () => Promise<readonly TokenEntry[]>
  /** Worker paths and the SLA calls of the host (tests inject them). */
  hostOptions?: HostOptions
}

export class StoreServer {
  private closed: Promise<void> | null = null

  private constructor(
    private readonly served: HostServer,
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
      const served = await HostServer.attach({
        ...options,
        storeHost: host,
        handle: summary!.handle,
        tokens: await options.tokens(),
      })
      return new StoreServer(served, host)
    } catch (error) {
      await host.close()
      throw error
    }
  }

  get api(): ApiServer {
    return this.served.api
  }

  get url(): string {
    return this.served.url
  }

  get loginUrl(): string | null {
    return this.served.loginUrl
  }

  /**
   * close (once; later calls wait for the first) stops serving (requests in flight finish,
   * every acknowledged append is durable), then closes the host and with it the store.
   */
  close(): Promise<void> {
    this.closed ??= this.shut()
    return this.closed
  }

  private async shut(): Promise<void> {
    await this.served.close()
    await this.host.close()
  }
}
