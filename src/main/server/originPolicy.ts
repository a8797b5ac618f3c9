/**
 * Host and Origin checks (DESIGN.md Contracts). A page on another site can make a browser
 * send requests to 127.0.0.1, and DNS rebinding can make such a page same-origin with us:
 * refusing unknown Host headers defeats rebinding, and refusing foreign Origins stops
 * cross-site requests from a browser that carries our session cookie.
 */
export interface OriginPolicyOptions {
  /** The address the server is bound to. */
  bindHost: string
  /** Extra host names accepted in the Host header (`--allow-host`). */
  allowHosts?: readonly string[]
  /** The one cross-origin site allowed, with CORS (`--cors-origin`). */
  corsOrigin?: string | null
}

export class OriginPolicy {
  private readonly hosts: Set<string>
  readonly corsOrigin: string | null

  constructor(options: OriginPolicyOptions) {
    const names = ['localhost', '127.0.0.1', '[::1]', bracketed(options.bindHost)]
    for (const name of options.allowHosts ?? []) names.push(bracketed(name.toLowerCase()))
    this.hosts = new Set(names)
    this.corsOrigin = options.corsOrigin ?? null
  }

  /** hostAllowed checks a Host header: a known name, with or without the server's port. */
  hostAllowed(host: string | undefined, port: number): boolean {
    if (host === undefined) return false
    const lower = host.toLowerCase()
    const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(lower)
    if (!match) return false
    if (match[2] !== undefined && Number(match[2]) !== port) return false
    return this.hosts.has(match[1]!)
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
}

function bracketed(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host
}
