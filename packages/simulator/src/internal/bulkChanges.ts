/**
 * `PUT /v1/{resource}/bulk` and `DELETE /v1/{resource}/bulk?ids=…`: the bulk update and the bulk delete of the
 * resources whose registry entry has them. The same job model as a bulk create: the synchronous checks of the
 * request (an update's body as a create's, `_clientRef` rules included; a delete's `ids`), then a job whose batches
 * apply each item — with the bulk faults the profile drew injected before or after acceptance, as for creates.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { clientRefsOf, injectFault, readItems } from "./bulkCreate.js"
import * as Documents from "./documents.js"
import type { BulkFault } from "./faults.js"
import type { Call, Handler, Response } from "./guard.js"
import type { JobRecord, Operation } from "./jobs.js"
import type { SimDelete, SimResource } from "./resources.js"
import * as Responses from "./responses.js"
import type { ConnectionReset } from "./responses.js"
import { json } from "./responses.js"
import type { SimulatorState } from "./state.js"

/** The status a bulk update or delete answers with: the `201` of every bulk endpoint but the messages' create. */
export const acceptedStatus = 201

/** A query parameter of a request URL (a path and query, as the router sees it), or `null`. */
const queryParam = (url: string, name: string): string | null => {
  const query = url.indexOf("?")
  return new URLSearchParams(query < 0 ? "" : url.slice(query + 1)).get(name)
}

/** The handlers of the bulk updates and deletes. `enqueue` hands an accepted job to the worker pool. */
export const make = (
  state: SimulatorState,
  enqueue: (job: JobRecord) => Effect.Effect<void>
): {
  readonly update: (resource: SimResource) => Handler
  readonly remove: (resource: SimResource, remove: SimDelete) => Handler
} => {
  const config = state.config
  const error = (status: number, code: string, detail: string) =>
    Responses.error(status, code, detail, config.answers.errorBody)

  const injectBulkFault = (fault: BulkFault): Effect.Effect<Response, ConnectionReset> =>
    injectFault(fault, config.answers.errorBody, () => state.counters.countFault(`${fault.kind}_${fault.phase}`))

  /** Records the job, hands it to the workers and answers with it (or with the fault drawn after acceptance). */
  const accept = (
    call: Call,
    resource: SimResource,
    operation: Operation,
    items: ReadonlyArray<unknown>,
    clientRefs: ReadonlyArray<string> | undefined
  ): Effect.Effect<Response, ConnectionReset> =>
    Effect.gen(function*() {
      const nowMillis = yield* Clock.currentTimeMillis
      const job = yield* Effect.uninterruptible(
        Effect.sync(() =>
          state.jobs.create({
            resource,
            operation,
            items,
            clientRefs,
            caller: call.caller,
            stalled: call.faults.stall,
            nowMillis
          })
        ).pipe(Effect.tap((job) => enqueue(job)))
      )
      if (job.stalled) state.counters.countFault("stalled_job")
      const fault = call.faults.bulk
      if (fault !== undefined) return yield* injectBulkFault(fault)
      return json(acceptedStatus, Documents.jobDocument(config, job))
    })

  const update = (resource: SimResource): Handler => (call) =>
    Effect.gen(function*() {
      const fault = call.faults.bulk
      if (fault !== undefined && fault.phase === "before_acceptance") return yield* injectBulkFault(fault)
      if (queryParam(call.request.url, "ids") !== null) {
        return error(
          400,
          "bad_request",
          "the simulator serves the array form of a bulk update only: send [{ id, …fields }] without ?ids="
        )
      }
      const items = yield* readItems(config, resource, call.request)
      if (Either.isLeft(items)) return items.left
      const clientRefs = clientRefsOf(items.right)
      if (Either.isLeft(clientRefs)) return error(400, "bad_request", clientRefs.left)
      return yield* accept(call, resource, "update", items.right, clientRefs.right)
    })

  const remove = (resource: SimResource, remove: SimDelete): Handler => (call) =>
    Effect.gen(function*() {
      const fault = call.faults.bulk
      if (fault !== undefined && fault.phase === "before_acceptance") return yield* injectBulkFault(fault)
      const listed = queryParam(call.request.url, "ids")
      const ids = listed === null || listed === "" ? [] : listed.split(",")
      if (ids.length === 0) {
        return error(400, "bad_request", `ids is required: DELETE ${remove.path}?ids=<id>,<id>,…`)
      }
      if (ids.some((id) => id.length === 0)) return error(400, "bad_request", "ids must not contain an empty id")
      if (ids.length > remove.maxIdsPerRequest) {
        return error(400, "bad_request", `at most ${remove.maxIdsPerRequest} ids per request, got ${ids.length}`)
      }
      return yield* accept(call, resource, "delete", ids, undefined)
    })

  return { update, remove }
}
