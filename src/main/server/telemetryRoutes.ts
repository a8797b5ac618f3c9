import { sendJson } from './httpIo'
import type { Route } from './route'
import type { StoreTelemetry } from './storeTelemetry'

/**
 * GET /metrics (Prometheus text) and GET /health/detailed, both with the metrics scope:
 * they show sizes, rates and resources an anonymous caller has no business seeing, which
 * is why GET /health says only the status.
 */
export function telemetryRoutes(telemetry: StoreTelemetry): Route[] {
  return [
    {
      method: 'GET',
      path: '/metrics',
      scope: 'metrics',
      async handle({ response }) {
        const { contentType, text } = await telemetry.metrics()
        response.writeHead(200, {
          'content-type': contentType,
          'content-length': Buffer.byteLength(text),
          'cache-control': 'no-store',
        })
        response.end(text)
      },
    },
    {
      method: 'GET',
      path: '/health/detailed',
      scope: 'metrics',
      handle({ response }) {
        sendJson(response, 200, telemetry.detailedHealth())
      },
    },
  ]
}
