/**
 * A request budget: `limit` requests per `window`, written `LIMIT/WINDOW` — `1000/60` (seconds), `1000/60s`,
 * `1000/1m`, `300/10s`, `50/500ms`, `5000/1h`. One grammar for the command line, the environment and the
 * library.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

/**
 * `limit` requests per `window`.
 *
 * @since 0.1.0
 */
export class RateBudget extends Schema.Class<RateBudget>("RateBudget")({
  limit: Schema.Int.pipe(Schema.positive()),
  window: Schema.DurationFromSelf.pipe(
    Schema.filter((window) => Duration.toMillis(window) > 0 || "the window must be positive")
  )
}) {}

const grammar = /^\s*(\d+)\s*\/\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/

const windowOf = (amount: number, unit: string): Duration.Duration =>
  unit === "ms"
    ? Duration.millis(amount)
    : unit === "m"
    ? Duration.minutes(amount)
    : unit === "h"
    ? Duration.hours(amount)
    : Duration.seconds(amount)

/**
 * Parses `LIMIT/WINDOW`; the window's unit is `ms`, `s` (the default), `m` or `h`.
 *
 * @since 0.1.0
 */
export const parse = (text: string): Either.Either<RateBudget, string> => {
  const match = grammar.exec(text)
  if (match === null) return Either.left(`"${text}" is not a rate limit; expected e.g. 1000/60 (requests per seconds)`)
  const limit = Number(match[1])
  const window = windowOf(Number(match[2]), match[3] ?? "s")
  if (limit < 1 || Duration.toMillis(window) <= 0) {
    return Either.left(`"${text}": the limit and window must be positive`)
  }
  return Either.right(new RateBudget({ limit, window }))
}

/**
 * Writes a budget in the grammar {@link parse} reads: whole seconds as `s`, anything else as `ms`.
 *
 * @since 0.1.0
 */
export const format = (budget: RateBudget): string => {
  const millis = Duration.toMillis(budget.window)
  return millis % 1000 === 0 ? `${budget.limit}/${millis / 1000}s` : `${budget.limit}/${millis}ms`
}

/**
 * A budget written as text, e.g. in a configuration file or a report.
 *
 * @since 0.1.0
 */
export const FromString: Schema.Schema<RateBudget, string> = Schema.transformOrFail(
  Schema.String,
  Schema.typeSchema(RateBudget),
  {
    strict: true,
    decode: (text, _options, ast) =>
      Either.match(parse(text), {
        onLeft: (message) => ParseResult.fail(new ParseResult.Type(ast, text, message)),
        onRight: (budget) => ParseResult.succeed(budget)
      }),
    encode: (budget) => ParseResult.succeed(format(budget))
  }
).annotations({ identifier: "RateBudgetFromString" })

/**
 * Kustomer's Enterprise plan: 1000 requests per minute.
 *
 * @since 0.1.0
 */
export const enterprise: RateBudget = new RateBudget({ limit: 1000, window: Duration.minutes(1) })
