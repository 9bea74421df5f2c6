import { Conversation, Ids } from "@effect-kustomer/domain"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as Schema from "effect/Schema"
import { clientWith, json, secretKey } from "./fakes.js"

const conversation = Schema.decodeSync(Conversation.ConversationInput)({ customer: "5cb3a1b7c9e77c0013e5f2d1" })
const jobId = Ids.BulkJobId.make("job-1")

describe("the API key", () => {
  it.effect("never appears in an error's message, toString, stack, JSON or cause", () =>
    Effect.gen(function*() {
      const replies = [
        json(400, { errors: [{ code: "bad_request" }] }),
        json(401, { errors: [{ title: "Expired token" }] }),
        json(403, {}),
        json(429, {}, { "x-ratelimit-reset": "1" }),
        { status: 502, body: "<html>bad gateway</html>" },
        { status: 201, body: "not json" }
      ]
      for (const reply of replies) {
        const { client } = yield* clientWith(() => Effect.succeed(reply))
        const exit = yield* Effect.exit(client.bulkCreateConversations([conversation]))
        assert.isTrue(exit._tag === "Failure")
        if (exit._tag === "Failure") {
          const error = Cause.squash(exit.cause)
          const texts = [
            String(error),
            error instanceof Error ? error.message : "",
            error instanceof Error ? error.stack ?? "" : "",
            JSON.stringify(error),
            Cause.pretty(exit.cause)
          ]
          for (const text of texts) assert.notInclude(text, secretKey)
        }
      }
      const transport = yield* clientWith(() => Effect.fail(new Error("socket hang up")))
      const transportExit = yield* Effect.exit(transport.client.getBulkJob(jobId))
      assert.notInclude(Cause.pretty(transportExit._tag === "Failure" ? transportExit.cause : Cause.empty), secretKey)
    }))

  it.effect("is not in captured log output", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const capture = Logger.make(({ cause, message }) => {
        lines.push(`${JSON.stringify(message)} ${Cause.pretty(cause)}`)
      })
      const { client } = yield* clientWith(() => Effect.succeed(json(401, { errors: [{ title: "Invalid token" }] })))
      yield* client.getBulkJob(jobId).pipe(
        Effect.tapErrorCause((cause) => Effect.logError("failed", cause)),
        Effect.ignore,
        Effect.provide(Logger.replace(Logger.defaultLogger, capture))
      )
      assert.isAbove(lines.length, 0)
      assert.isTrue(lines.some((line) => line.includes("Invalid token")))
      for (const line of lines) assert.notInclude(line, secretKey)
    }))
})
