/**
 * A tracer that keeps the spans it sees, so that an example can show what an OpenTelemetry exporter would
 * receive. It wraps the current tracer rather than replacing it. In a real application, provide
 * `NodeSdk.layer(...)` from `@effect/opentelemetry` instead: the same spans go to your collector.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import * as Tracer from "effect/Tracer"

/** A finished span. */
export interface Recorded {
  readonly name: string
  readonly millis: number
  readonly attributes: ReadonlyMap<string, unknown>
  readonly failed: boolean
}

/** The spans recorded so far. */
export class SpanRecorder extends Context.Tag("examples/SpanRecorder")<SpanRecorder, {
  readonly spans: Effect.Effect<ReadonlyArray<Recorded>>
}>() {}

/** A span that reports itself when it ends, and otherwise is the wrapped tracer's span. */
class RecordingSpan implements Tracer.Span {
  readonly _tag = "Span"
  constructor(
    private readonly inner: Tracer.Span,
    private readonly startTime: bigint,
    private readonly onEnd: (span: Recorded) => void
  ) {}
  get name() {
    return this.inner.name
  }
  get spanId() {
    return this.inner.spanId
  }
  get traceId() {
    return this.inner.traceId
  }
  get parent(): Option.Option<Tracer.AnySpan> {
    return this.inner.parent
  }
  get context() {
    return this.inner.context
  }
  get status() {
    return this.inner.status
  }
  get attributes() {
    return this.inner.attributes
  }
  get links() {
    return this.inner.links
  }
  get sampled() {
    return this.inner.sampled
  }
  get kind() {
    return this.inner.kind
  }
  end(endTime: bigint, exit: Exit.Exit<unknown, unknown>): void {
    this.inner.end(endTime, exit)
    this.onEnd({
      name: this.inner.name,
      millis: Number(endTime - this.startTime) / 1_000_000,
      attributes: this.inner.attributes,
      failed: exit._tag === "Failure"
    })
  }
  attribute(key: string, value: unknown): void {
    this.inner.attribute(key, value)
  }
  event(name: string, startTime: bigint, attributes?: Record<string, unknown>): void {
    this.inner.event(name, startTime, attributes)
  }
  addLinks(links: ReadonlyArray<Tracer.SpanLink>): void {
    this.inner.addLinks(links)
  }
}

/** Records every span of the program it is provided to. */
export const layer = Layer.unwrapEffect(Effect.gen(function*() {
  const inner = yield* Effect.tracer
  // `end` is a plain callback of the runtime, outside any effect: the spans are collected in a plain array.
  const finished: Array<Recorded> = []
  const tracer = Tracer.make({
    span: (name, parent, context, links, startTime, kind, options) =>
      new RecordingSpan(
        inner.span(name, parent, context, links, startTime, kind, options),
        startTime,
        (span) => finished.push(span)
      ),
    context: (f, fiber) => inner.context(f, fiber)
  })
  return Layer.merge(
    Layer.setTracer(tracer),
    Layer.succeed(SpanRecorder, {
      spans: Effect.sync(() => [...finished])
    })
  )
}))
