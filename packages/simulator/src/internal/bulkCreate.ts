/**
 * `POST /v1/{resource}/bulk`: reads and checks the request body (size, JSON, a non-empty array within the item
 * limit, `_clientRef` rules), records the job and hands it to the workers — with the bulk faults the profile
 * drew injected before or after acceptance.
 */
import { ClientRef } from "@effect-kustomer/domain"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Predicate from "effect/Predicate"
import type { SimulatorConfig } from "../SimulatorConfig.js"
import * as Documents from "./documents.js"
import type { BulkFault } from "./faults.js"
import type { Handler, Response } from "./guard.js"
import type { JobRecord } from "./jobs.js"
import type { SimResource } from "./resources.js"
import * as Responses from "./responses.js"
import { ConnectionReset, htmlBadGateway, json } from "./responses.js"
import type { SimulatorState } from "./state.js"

const decoder = new TextDecoder()

/** The `_clientRef` of every item, `undefined` when none carries one, or why the set breaks the rules. */
export const clientRefsOf = (
  items: ReadonlyArray<unknown>
): Either.Either<ReadonlyArray<string> | undefined, string> => {
  const refs: Array<string | undefined> = []
  for (const item of items) {
    if (!Predicate.isRecord(item) || !("_clientRef" in item)) {
      refs.push(undefined)
      continue
    }
    const ref = item["_clientRef"]
    if (typeof ref !== "string") return Either.left("_clientRef must be a string")
    refs.push(ref)
  }
  const problem = ClientRef.clientRefProblem(refs)
  if (problem !== undefined) return Either.left(problem)
  const present = refs.filter((ref): ref is string => ref !== undefined)
  return Either.right(present.length === 0 ? undefined : present)
}

/**
 * Answers with an injected fault instead of the response: a 5xx with an error body, a proxy's HTML 502, or a
 * connection reset. `count` records it.
 */
export const injectFault = (
  fault: BulkFault,
  errorBody: Responses.ErrorStyle,
  count: () => void
): Effect.Effect<Response, ConnectionReset> =>
  Effect.suspend(() => {
    count()
    switch (fault.kind) {
      case "server_error":
        return Effect.succeed(Responses.serverError(fault.status, errorBody))
      case "html_bad_gateway":
        return Effect.succeed(htmlBadGateway())
      case "connection_reset":
        return Effect.fail(new ConnectionReset({ phase: fault.phase }))
    }
  })

/**
 * Reads the body of a bulk create or update: within the size limit (`413`), JSON (`400`), a non-empty array of at
 * most the item limit (`400`). `Left` is the error response.
 */
export const readItems = (
  config: SimulatorConfig,
  resource: SimResource,
  request: HttpServerRequest.HttpServerRequest
): Effect.Effect<Either.Either<ReadonlyArray<unknown>, Response>> => {
  const error = (status: number, code: string, detail: string) =>
    Responses.error(status, code, detail, config.answers.errorBody)
  return Effect.gen(function*() {
    const tooLarge = (bytes: number) =>
      Either.left(error(
        413,
        "payload_too_large",
        `request body is ${bytes} bytes; the limit is ${config.maxBodyBytes} bytes`
      ))
    const declared = Number(request.headers["content-length"] ?? "0")
    if (declared > config.maxBodyBytes) return tooLarge(declared)
    const body = yield* Effect.either(request.arrayBuffer)
    if (Either.isLeft(body)) return Either.left(error(400, "bad_request", "could not read the request body"))
    if (body.right.byteLength > config.maxBodyBytes) return tooLarge(body.right.byteLength)
    let parsed: unknown
    try {
      parsed = JSON.parse(decoder.decode(body.right))
    } catch {
      return Either.left(error(400, "bad_request", "request body is not valid JSON"))
    }
    if (!Array.isArray(parsed)) {
      return Either.left(error(400, "bad_request", `request body must be a JSON array of ${resource.name}`))
    }
    const items: ReadonlyArray<unknown> = parsed
    if (items.length === 0) return Either.left(error(400, "bad_request", "request body must not be an empty array"))
    if (items.length > config.maxItemsPerRequest) {
      return Either.left(error(
        400,
        "bad_request",
        `at most ${config.maxItemsPerRequest} items per request, got ${items.length}`
      ))
    }
    return Either.right(items)
  })
}

/** The handler of one resource's bulk create. `enqueue` hands an accepted job to the worker pool. */
export const make = (
  state: SimulatorState,
  enqueue: (job: JobRecord) => Effect.Effect<void>
): (resource: SimResource) => Handler => {
  const config = state.config
  const error = (status: number, code: string, detail: string) =>
    Responses.error(status, code, detail, config.answers.errorBody)

  const injectBulkFault = (fault: BulkFault): Effect.Effect<Response, ConnectionReset> =>
    injectFault(fault, config.answers.errorBody, () => state.counters.countFault(`${fault.kind}_${fault.phase}`))

  return (resource) => (call) =>
    Effect.gen(function*() {
      const fault = call.faults.bulk
      if (fault !== undefined && fault.phase === "before_acceptance") return yield* injectBulkFault(fault)
      const items = yield* readItems(config, resource, call.request)
      if (Either.isLeft(items)) return items.left
      const clientRefs = clientRefsOf(items.right)
      if (Either.isLeft(clientRefs)) return error(400, "bad_request", clientRefs.left)
      const nowMillis = yield* Clock.currentTimeMillis
      const job = yield* Effect.uninterruptible(
        Effect.sync(() =>
          state.jobs.create({
            resource,
            operation: "create",
            items: items.right,
            clientRefs: clientRefs.right,
            caller: call.caller,
            stalled: call.faults.stall,
            nowMillis
          })
        ).pipe(Effect.tap((job) => enqueue(job)))
      )
      if (job.stalled) state.counters.countFault("stalled_job")
      if (fault !== undefined) return yield* injectBulkFault(fault)
      return json(resource.createdStatus, Documents.jobDocument(config, job))
    })
}
