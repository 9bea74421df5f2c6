/**
 * The guard every API route runs behind, in this order: count the request, draw its faults, hang a request the
 * faults hold before any work, authenticate, rate-limit, check roles, run the handler, delay a slow response, set
 * the rate-limit headers, and hang a request the faults hold instead of its answer.
 */
import { RateLimit } from "@effect-kustomer/domain"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type { ApiKey } from "../SimulatorConfig.js"
import type { FaultDecision, FaultPhase } from "./faults.js"
import type { RateSnapshot } from "./rateLimiter.js"
import * as Responses from "./responses.js"
import { ConnectionReset } from "./responses.js"
import type { SimulatorState } from "./state.js"
import { isoString } from "./time.js"

/** What a guarded handler knows about its request. */
export interface Call {
  readonly request: HttpServerRequest.HttpServerRequest
  readonly caller: ApiKey
  readonly faults: FaultDecision
}

/** A response of the app. */
export type Response = HttpServerResponse.HttpServerResponse

/** What answers one guarded request. */
export type Handler = (call: Call) => Effect.Effect<Response, ConnectionReset>

/** Runs a handler behind the guard; `route` names the request in the counters. */
export type Guard = (
  route: string,
  roles: ReadonlyArray<string>,
  handler: Handler
) => Effect.Effect<Response, ConnectionReset, HttpServerRequest.HttpServerRequest>

const withRateHeaders = (response: Response, snapshot: RateSnapshot): Response =>
  HttpServerResponse.setHeaders(response, RateLimit.toHeaders(snapshot))

const hasAnyRole = (caller: ApiKey, roles: ReadonlyArray<string>): boolean =>
  roles.length === 0 || roles.some((role) => caller.roles.includes(role))

/**
 * The guard of one simulator. `stopped` completes when the simulator stops: a hung request then ends as a
 * connection reset, so that no request outlives the simulator (and a server can close its connections).
 */
export const make = (state: SimulatorState, stopped: Deferred.Deferred<void>): Guard => {
  const config = state.config
  const stormMillis = Duration.toMillis(config.faults.rateLimitStormDuration)
  const error = (status: number, code: string, detail: string) =>
    Responses.error(status, code, detail, config.answers.errorBody)

  const rateLimited = (snapshot: RateSnapshot, nowMillis: number): Response => {
    const windowSeconds = Duration.toSeconds(config.rateLimit.window)
    const response = withRateHeaders(
      error(
        429,
        "rate_limited",
        `rate limit of ${config.rateLimit.limit} requests per ${windowSeconds} seconds exceeded; ` +
          `try again after ${isoString(snapshot.resetAtMillis)}`
      ),
      snapshot
    )
    if (!config.retryAfterHeader) return response
    const seconds = Math.max(0, Math.ceil((snapshot.resetAtMillis - nowMillis) / 1000))
    return HttpServerResponse.setHeader(response, "retry-after", String(seconds))
  }

  /** Never answers: waits, interruptibly, for the client to give up or the simulator to stop. */
  const hang = (phase: FaultPhase): Effect.Effect<never, ConnectionReset> =>
    Effect.suspend(() => {
      state.counters.countFault(`hang_${phase}`)
      return Effect.zipRight(Deferred.await(stopped), Effect.fail(new ConnectionReset({ phase })))
    })

  const answer = (
    request: HttpServerRequest.HttpServerRequest,
    roles: ReadonlyArray<string>,
    handler: Handler,
    faults: FaultDecision
  ): Effect.Effect<Response, ConnectionReset> =>
    Effect.gen(function*() {
      const nowMillis = yield* Clock.currentTimeMillis
      const authorization = request.headers["authorization"]
      const caller = state.authenticate(authorization)
      if (caller === undefined) {
        const detail = authorization === undefined
          ? "missing Authorization header; send Authorization: Bearer <API key>"
          : "unknown or malformed API key"
        return withRateHeaders(error(401, "unauthorized", detail), state.limiter.peek(nowMillis))
      }
      if (faults.stormStarts && !state.limiter.inStorm(nowMillis)) {
        state.limiter.startStorm(nowMillis, stormMillis)
        state.counters.countFault("rate_limit_storm")
      }
      const decision = state.limiter.take(nowMillis)
      if (!decision.allowed) return rateLimited(decision.snapshot, nowMillis)
      if (!hasAnyRole(caller, roles)) {
        const status = config.forbiddenStatus
        const code = status === 403 ? "forbidden" : "unauthorized"
        return withRateHeaders(error(status, code, `requires ${roles.join(" or ")}`), decision.snapshot)
      }
      const response = yield* handler({ request, caller, faults })
      // A slow response is delayed after the work is done: a client that gives up has still changed the data.
      if (faults.slowBy !== undefined) {
        state.counters.countFault("slow_response")
        yield* Effect.sleep(faults.slowBy)
      }
      return withRateHeaders(response, decision.snapshot)
    })

  return (route, roles, handler) =>
    Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      state.counters.countRequest(route)
      const faults = state.nextFaults()
      if (faults.hang === "before_acceptance") return yield* hang(faults.hang)
      const response = yield* answer(request, roles, handler, faults)
      if (faults.hang === "after_acceptance") return yield* hang(faults.hang)
      state.counters.countResponse(response.status)
      return response
    })
}
