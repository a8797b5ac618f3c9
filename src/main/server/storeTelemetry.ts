import type { Registry } from 'prom-client'
import type { DetailedHealth } from '../../shared/sla'
import type { EventStore } from '../engine/eventStore'
import { prometheusMetrics } from '../engine/telemetry/prometheusMetrics'
import { storeMetricsSource } from '../engine/telemetry/storeMetricsSource'
import type { StoreSource } from './apiServer'

/**
 * StoreTelemetry is what `serve` reports about its store: the Prometheus exposition
 * (GET /metrics) and the detailed health (GET /health/detailed), both from the store's own
 * monitor. The store is read through StoreSource at every request: a recovery closes and
 * reopens it, and the registry follows the new instance (its counters start again, which
 * Prometheus reads as a reset).
 */
export class StoreTelemetry {
  private registered: { store: EventStore; registry: Registry } | null = null

  constructor(
    private readonly store: StoreSource,
    private readonly activeConnections: () => number,
  ) {}

  async metrics(): Promise<{ contentType: string; text: string }> {
    const registry = this.registry()
    return { contentType: registry.contentType, text: await registry.metrics() }
  }

  detailedHealth(): DetailedHealth {
    return this.store().health()
  }

  private registry(): Registry {
    const store = this.store()
    if (this.registered?.store !== store) {
      const source = storeMetricsSource(store, { activeConnections: this.activeConnections })
      this.registered = { store, registry: prometheusMetrics(source, { processMetrics: true }) }
    }
    return this.registered.registry
  }
}
