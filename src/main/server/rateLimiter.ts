/**
 * A token bucket per client name: `ratePerSecond` sustained, bursts up to `burst`. Memory
 * is bounded: at most RATE_LIMITED_CLIENTS_MAX buckets, the least recently used dropped.
 */
export const RATE_LIMITED_CLIENTS_MAX = 1024

interface Bucket {
  tokens: number
  atMs: number
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>()

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** take spends `cost` for `client`; returns 0 when allowed, else the seconds to wait. */
  take(client: string, cost = 1): number {
    const now = this.nowMs()
    let bucket = this.buckets.get(client)
    if (bucket === undefined) {
      if (this.buckets.size >= RATE_LIMITED_CLIENTS_MAX) {
        const oldest = this.buckets.keys().next().value
        if (oldest !== undefined) this.buckets.delete(oldest)
      }
      bucket = { tokens: this.burst, atMs: now }
    } else {
      this.buckets.delete(client)
      const elapsed = Math.max(0, now - bucket.atMs) / 1000
      bucket.tokens = Math.min(this.burst, bucket.tokens + elapsed * this.ratePerSecond)
      bucket.atMs = now
    }
    this.buckets.set(client, bucket)
    if (bucket.tokens >= cost) {
      bucket.tokens -= cost
      return 0
    }
    return Math.ceil((cost - bucket.tokens) / this.ratePerSecond)
  }
}
