/**
 * An import with this repository's client against a simulator over real HTTP (`NodeHttpClient`, keep-alive), with
 * the rate limiter configured as a user who knows the org's budget would, and a timeline of what happened: records
 * settled and chunks submitted per rate-limit window, and each job's turnaround as the client saw it.
 */
import {
  BulkImport,
  type ImportEvent,
  ImportSource,
  KustomerAuth,
  KustomerClient,
  KustomerConfig,
  RateLimiter
} from "@effect-kustomer/client"
import { type Conversation } from "@effect-kustomer/domain"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type * as Stream from "effect/Stream"
import { percentile, round } from "./report.js"

/** Where and how to import. */
export interface ImportTarget {
  readonly baseUrl: string
  readonly apiKey: string
  readonly limit: number
  readonly windowMs: number
}

/** Per aligned rate-limit window (epoch ms of its start): records settled, chunks submitted. */
export interface WindowCounts {
  readonly start: number
  readonly settled: number
  readonly created: number
  readonly submitted: number
}

/** What a library import did. */
export interface LibraryImportResult {
  readonly summary: ImportEvent.Summary
  readonly startedAt: number
  readonly endedAt: number
  readonly windows: ReadonlyArray<WindowCounts>
  /** Submission to results, per job, in milliseconds (as the client saw it, polling included). */
  readonly turnaroundMs: { readonly p50: number; readonly p90: number; readonly max: number }
  readonly rateLimitPauses: number
}

/** The client layers: Node HTTP client, the configured budget, the key, the base URL. */
export const clientLayer = (target: ImportTarget) =>
  KustomerClient.layer().pipe(
    Layer.provideMerge(RateLimiter.layer({ limit: target.limit, window: Duration.millis(target.windowMs) })),
    Layer.provide(KustomerAuth.layer(Redacted.make(target.apiKey))),
    Layer.provide(KustomerConfig.layer({ baseUrl: target.baseUrl })),
    Layer.provide(NodeHttpClient.layer)
  )

/** Imports `records` and records the timeline. */
export const libraryImport = async (
  target: ImportTarget,
  source: Stream.Stream<ImportSource.SourceRecord, never, never>,
  options: BulkImport.Options<Conversation.ConversationInput, Conversation.ConversationInputEncoded>
): Promise<LibraryImportResult> => {
  const windows = new Map<number, { settled: number; created: number; submitted: number }>()
  const windowOf = (now: number) => {
    const start = Math.floor(now / target.windowMs) * target.windowMs
    let counts = windows.get(start)
    if (counts === undefined) {
      counts = { settled: 0, created: 0, submitted: 0 }
      windows.set(start, counts)
    }
    return counts
  }
  const submittedAt = new Map<string, number>()
  const turnarounds: Array<number> = []
  let rateLimitPauses = 0
  const onEvent = (event: ImportEvent.ImportEvent) =>
    Effect.sync(() => {
      const now = Date.now()
      switch (event._tag) {
        case "ChunkSubmitted":
          windowOf(now).submitted++
          submittedAt.set(event.jobId, now)
          break
        case "RateLimitedUntil":
          rateLimitPauses++
          break
        case "Created":
        case "AlreadyExisting":
        case "Failed":
        case "Unknown":
        case "Rejected": {
          const counts = windowOf(now)
          counts.settled++
          if (event._tag === "Created") {
            counts.created++
            const sent = event.jobId === undefined ? undefined : submittedAt.get(event.jobId)
            if (sent !== undefined && event.jobId !== undefined) {
              turnarounds.push(now - sent)
              submittedAt.delete(event.jobId)
            }
          }
          break
        }
      }
    })
  const startedAt = Date.now()
  const summary = await Effect.runPromise(
    BulkImport.run(source, { ...options, onEvent }).pipe(Effect.provide(clientLayer(target)))
  )
  const endedAt = Date.now()
  turnarounds.sort((a, b) => a - b)
  return {
    summary,
    startedAt,
    endedAt,
    windows: [...windows.entries()].sort(([a], [b]) => a - b).map(([start, counts]) => ({ start, ...counts })),
    turnaroundMs: {
      p50: round(percentile(turnarounds, 50), 0),
      p90: round(percentile(turnarounds, 90), 0),
      max: turnarounds[turnarounds.length - 1] ?? 0
    },
    rateLimitPauses
  }
}

/** The summary as plain JSON (the elapsed `Duration` as milliseconds). */
export const summaryJson = (summary: ImportEvent.Summary) => ({
  ...summary,
  elapsed: undefined,
  elapsedMs: Duration.toMillis(summary.elapsed)
})

/** Records from values in memory. */
export const fromValues = (values: Iterable<unknown>) => ImportSource.fromIterable(values)
