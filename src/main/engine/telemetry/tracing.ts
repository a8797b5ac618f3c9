/**
 * withSpan wraps one store operation (append, query, verify, recover) in an OpenTelemetry
 * span. It uses only @opentelemetry/api, which does nothing until an SDK registers a tracer
 * provider (docs/OBSERVABILITY.md says how), so the cost without one is a few no-op calls.
 *
 * Guarantee: the span ends exactly once, when `fn` returns or, for a promise, when it
 * settles; a throw or rejection is recorded on the span (exception event, status ERROR) and
 * passed on unchanged. Success leaves the status UNSET, as OpenTelemetry asks of libraries.
 */
import { SpanStatusCode, context, trace } from '@opentelemetry/api'
import type { Attributes, Span } from '@opentelemetry/api'

/** TRACER_NAME is the instrumentation scope every Lighthouse span is recorded under. */
export const TRACER_NAME = 'lighthouse-store'

/** withSpan runs `fn` inside a new active span named `name` and returns what `fn` returns. */
export function withSpan<T>(name: string, attributes: Attributes, fn: (span: Span) => T): T {
  // Looked up per call, not once per module, so a provider registered later is used.
  const span = trace.getTracer(TRACER_NAME).startSpan(name, { attributes })
  let result: T
  try {
    result = context.with(trace.setSpan(context.active(), span), fn, undefined, span)
  } catch (error) {
    fail(span, error)
    span.end()
    throw error
  }
  if (!isPromiseLike(result)) {
    span.end()
    return result
  }
  return result.then(
    (value) => {
      span.end()
      return value
    },
    (error: unknown) => {
      fail(span, error)
      span.end()
      throw error
    },
  ) as T
}

function fail(span: Span, error: unknown): void {
  const exception = error instanceof Error ? error : String(error)
  span.recordException(exception)
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  })
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}
