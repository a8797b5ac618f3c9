import { bracketed, hostAllowed } from '../rpc/ws'

/**
 * Host and Origin checks (DESIGN.md Contracts). A page on another site can make a browser
 * send requests to 127.0.0.1, and DNS rebinding can make such a page same-origin with us:
 * refusing unknown Host headers defeats rebinding, and refusing foreign Origins stops
 * cross-site requests from a browser that carries our session cookie. The WebSocket
 * bridge gets its lists from here (`hostNames`, `bridgeOrigins`) and judges Host headers
 * with the same function, so the API and the bridge cannot disagree.
 */
export interface OriginPolicyOptions {
  /** The address the server is bound to. */
  bindHost: string
  /** Extra host names accepted in the Host header (`--allow-host`). */
  allowHosts?: readonly string[]
  /** The one cross-origin site allowed, with CORS (`--cors-origin`). */
  corsOrigin?: string | null
}

/** Names every server answers to: it is always reachable on loopback. */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]']

export class OriginPolicy {
  /** Every name accepted in the Host header, lower case, IPv6 in brackets. */
  readonly hostNames: readonly string[]
  readonly corsOrigin: string | null
  private readonly hosts: ReadonlySet<string>
  private readonly extraNames: readonly string[]

  constructor(options: OriginPolicyOptions) {
    this.extraNames = [options.bindHost, ...(options.allowHosts ?? [])]
      .map((name) => bracketed(name.toLowerCase()))
      .filter((name) => !LOOPBACK_NAMES.includes(name))
    this.hostNames = [...LOOPBACK_NAMES, ...this.extraNames]
    this.hosts = new Set(this.hostNames)
    this.corsOrigin = options.corsOrigin ?? null
  }

  /** hostAllowed checks a Host header: a known name, with or without the server's port. */
  hostAllowed(host: string | undefined, port: number): boolean {
    return hostAllowed(host, this.hosts, port)
  }

  /**
   * originAllowed checks an Origin header: absent (not a browser, or a same-origin GET),
   * our own origin, or the configured CORS origin.
   */
  originAllowed(origin: string | undefined, host: string | undefined): boolean {
    if (origin === undefined) return true
    if (this.corsOrigin !== null && origin === this.corsOrigin) return true
    if (host === undefined) return false
    return origin === `http://${host.toLowerCase()}` || origin === `https://${host.toLowerCase()}`
  }

  /**
   * bridgeOrigins lists the pages that may open the bridge: ours, never the CORS origin
   * (the bridge is the served UI's own). Loopback names only with the port: a page on
   * another local port would be same-site to the browser and carry the session cookie.
   * Names given with --allow-host may also come without it (a TLS proxy in front).
   */
  bridgeOrigins(port: number): string[] {
    const origins: string[] = []
    for (const name of this.hostNames) {
      for (const scheme of ['http', 'https']) {
        origins.push(`${scheme}://${name}:${port}`)
        if (this.extraNames.includes(name)) origins.push(`${scheme}://${name}`)
      }
    }
    return origins
  }
}
