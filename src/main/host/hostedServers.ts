import { join } from 'node:path'
import type { ServerStatus, StoreHandle } from '../../shared/storeApi'
import { ValidationError } from '../engine/errors'
import { HostServer } from '../server/hostServer'
import { addToken, readTokenFile, revokeToken, TOKEN_FILE_NAME } from '../server/tokenFile'
import type { HostedStore } from './hostedStore'
import type { StoreHost } from './storeHost'

/** The desktop app serves on loopback only: its token is shown on screen, not deployed. */
const BIND_HOST = '127.0.0.1'

interface Served {
  server: HostServer
  /** The admin token the app shows while it serves. */
  token: string
  tokenFile: string
  /** The token added to an existing file, revoked on stop; null when it created the file. */
  addedName: string | null
  readOnly: boolean
}

/**
 * HostedServers lets the desktop host serve its open stores over HTTP, one HostServer per
 * store, bound to 127.0.0.1. The store stays open in the host (it holds the writer lock);
 * the server reads and writes it through the host, and stops when the store closes.
 *
 * Tokens come from the store's token file, as for `serve`. A missing file is created with
 * one admin token, which the app shows. When the file exists the app cannot show any of
 * its tokens (it holds hashes), so it adds an `app-<time>` admin token, shows that, and
 * revokes it on stop, so repeated starts do not fill the file (TOKENS_MAX).
 */
export class HostedServers {
  private readonly servers = new Map<StoreHandle, Promise<Served>>()

  constructor(private readonly host: StoreHost) {}

  /** start serves the store, or answers the status of the server it already runs. */
  async start(hosted: HostedStore, port = 0): Promise<ServerStatus> {
    let starting = this.servers.get(hosted.handle)
    if (starting === undefined) {
      starting = this.serve(hosted, port)
      this.servers.set(hosted.handle, starting)
      // A failed start leaves nothing behind: the next start tries again.
      starting.catch(() => this.servers.delete(hosted.handle))
    }
    return statusOf(await starting)
  }

  /** stop ends the store's server, if it runs; requests in flight finish first. */
  async stop(handle: StoreHandle): Promise<ServerStatus> {
    const starting = this.servers.get(handle)
    if (starting === undefined) return stopped(false)
    this.servers.delete(handle)
    const served = await starting.catch(() => null)
    if (served === null) return stopped(false)
    await served.server.close()
    if (served.addedName !== null) await this.revoke(served.tokenFile, served.addedName)
    return stopped(served.readOnly)
  }

  async status(hosted: HostedStore): Promise<ServerStatus> {
    const starting = this.servers.get(hosted.handle)
    const served = starting === undefined ? null : await starting.catch(() => null)
    return served === null ? stopped(hosted.access === 'follow') : statusOf(served)
  }

  /** closeAll stops every server (the host is closing). */
  async closeAll(): Promise<void> {
    await Promise.all([...this.servers.keys()].map((handle) => this.stop(handle)))
  }

  private async serve(hosted: HostedStore, port: number): Promise<Served> {
    const tokenFile = join(hosted.path, TOKEN_FILE_NAME)
    const exists = (await readTokenFile(tokenFile)) !== null
    const addedName = exists ? `app-${new Date().toISOString().replaceAll(':', '-')}` : null
    const token = await addToken(tokenFile, addedName ?? 'admin', ['admin'])
    const readOnly = hosted.access === 'follow'
    try {
      const server = await HostServer.attach({
        storeHost: this.host,
        handle: hosted.handle,
        readOnly,
        tokens: (await readTokenFile(tokenFile)) ?? [],
        host: BIND_HOST,
        port,
        report: (line) => this.host.log(line),
      })
      return { server, token, tokenFile, addedName, readOnly }
    } catch (error) {
      if (addedName !== null) await this.revoke(tokenFile, addedName)
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new ValidationError(
          'port',
          `${port} is in use on ${BIND_HOST}; choose another, or leave it empty for a free one`,
        )
      }
      throw error
    }
  }

  private async revoke(tokenFile: string, name: string): Promise<void> {
    await revokeToken(tokenFile, name).catch((error: unknown) =>
      this.host.log(`revoking the app's token ${name} in ${tokenFile} failed`, error),
    )
  }
}

function statusOf(served: Served): ServerStatus {
  return {
    running: true,
    url: served.server.url,
    login_url: served.server.loginUrl,
    token: served.token,
    read_only: served.readOnly,
  }
}

function stopped(readOnly: boolean): ServerStatus {
  return { running: false, url: null, login_url: null, token: null, read_only: readOnly }
}
