import { ROOT_CONTEXT, SpanStatusCode, context, trace } from '@opentelemetry/api'
import type {
  Attributes,
  AttributeValue,
  Context,
  ContextManager,
  Exception,
  Span,
  SpanContext,
  SpanOptions,
  SpanStatus,
  Tracer,
  TracerProvider,
} from '@opentelemetry/api'
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest'
import { TRACER_NAME, withSpan } from '../../../../src/main/engine/telemetry/tracing'

/** RecordedSpan keeps what an exporter would receive; it implements only the API's Span. */
class RecordedSpan implements Span {
  readonly attributes: Attributes
  readonly exceptions: Exception[] = []
  status: SpanStatus = { code: SpanStatusCode.UNSET }
  ends = 0

  constructor(
    readonly tracerName: string,
    readonly name: string,
    options: SpanOptions,
  ) {
    this.attributes = { ...options.attributes }
  }
  spanContext(): SpanContext {
    return {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: 1,
    }
  }
  setAttribute(key: string, value: AttributeValue): this {
    this.attributes[key] = value
    return this
  }
  setAttributes(attributes: Attributes): this {
    Object.assign(this.attributes, attributes)
    return this
  }
  addEvent(): this {
    return this
  }
  addLink(): this {
    return this
  }
  addLinks(): this {
    return this
  }
  setStatus(status: SpanStatus): this {
    this.status = status
    return this
  }
  updateName(): this {
    return this
  }
  end(): void {
    this.ends++
  }
  isRecording(): boolean {
    return this.ends === 0
  }
  recordException(exception: Exception): void {
    this.exceptions.push(exception)
  }
}

/** SpanRecorder is a TracerProvider that keeps every span it starts. */
class SpanRecorder implements TracerProvider {
  readonly spans: RecordedSpan[] = []

  getTracer(tracerName: string): Tracer {
    const start = (name: string, options: SpanOptions = {}) => {
      const span = new RecordedSpan(tracerName, name, options)
      this.spans.push(span)
      return span
    }
    return {
      startSpan: start,
      startActiveSpan: <F extends (span: Span) => unknown>(
        name: string,
        ...rest: [F] | [SpanOptions, F] | [SpanOptions, Context, F]
      ): ReturnType<F> => {
        const fn = rest.at(-1) as F
        const options = rest.length > 1 ? (rest[0] as SpanOptions) : {}
        return fn(start(name, options)) as ReturnType<F>
      },
    }
  }
}

/** StackContextManager tracks the active context through synchronous calls only. */
class StackContextManager implements ContextManager {
  private readonly stack: Context[] = [ROOT_CONTEXT]
  active(): Context {
    return this.stack.at(-1)!
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    this.stack.push(ctx)
    try {
      return fn.call(thisArg, ...args)
    } finally {
      this.stack.pop()
    }
  }
  bind<T>(_ctx: Context, target: T): T {
    return target
  }
  enable(): this {
    return this
  }
  disable(): this {
    return this
  }
}

let recorder: SpanRecorder

beforeEach(() => {
  recorder = new SpanRecorder()
  trace.setGlobalTracerProvider(recorder)
})

afterEach(() => {
  trace.disable()
})

describe('withSpan', () => {
  it('records one ended span with its name, attributes and the lighthouse-store tracer', () => {
    const result = withSpan('lighthouse.append', { 'lighthouse.events': 3 }, () => 'ok')
    expect(result).toBe('ok')
    expect(recorder.spans).toHaveLength(1)
    const [span] = recorder.spans
    expect(span).toMatchObject({
      tracerName: TRACER_NAME,
      name: 'lighthouse.append',
      attributes: { 'lighthouse.events': 3 },
      status: { code: SpanStatusCode.UNSET },
      ends: 1,
    })
    expect(TRACER_NAME).toBe('lighthouse-store')
  })

  it('ends an async span only when its promise resolves', async () => {
    let resolve!: (value: number) => void
    const pending = withSpan(
      'lighthouse.query',
      {},
      () => new Promise<number>((r) => (resolve = r)),
    )
    expect(recorder.spans[0]!.ends).toBe(0)
    resolve(7)
    expect(await pending).toBe(7)
    expect(recorder.spans[0]!.ends).toBe(1)
  })

  it('records a thrown error with status ERROR, ends the span once and rethrows the same error', () => {
    const failure = new Error('disk on fire')
    expect(() =>
      withSpan('lighthouse.recover', {}, () => {
        throw failure
      }),
    ).toThrow(failure)
    const [span] = recorder.spans
    expect(span!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'disk on fire' })
    expect(span!.exceptions).toEqual([failure])
    expect(span!.ends).toBe(1)
  })

  it('records a rejection the same way', async () => {
    const failure = new Error('checksum mismatch')
    await expect(withSpan('lighthouse.verify', {}, () => Promise.reject(failure))).rejects.toBe(
      failure,
    )
    const [span] = recorder.spans
    expect(span!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'checksum mismatch' })
    expect(span!.exceptions).toEqual([failure])
    expect(span!.ends).toBe(1)
  })

  it('hands fn its span and makes it the active span while fn runs', () => {
    context.setGlobalContextManager(new StackContextManager())
    onTestFinished(() => context.disable())
    withSpan('lighthouse.append', {}, (span) => {
      span.setAttribute('lighthouse.sequence', 12)
      expect(trace.getSpan(context.active())).toBe(span)
    })
    expect(recorder.spans[0]!.attributes).toEqual({ 'lighthouse.sequence': 12 })
  })

  it('is a no-op without a registered provider', () => {
    trace.disable()
    expect(withSpan('lighthouse.append', {}, (span) => span.isRecording())).toBe(false)
    expect(recorder.spans).toHaveLength(0)
  })
})
