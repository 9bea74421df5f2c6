/**
 * `--mapping`: how CSV columns become conversation fields. Each value is either a `field=Column` pair
 * (`name=Subject`, `custom.orderNumberStr=Order #`) or the path of a JSON file holding a whole
 * `ImportSource.CsvMapping`. They combine in order; later ones win.
 *
 * @since 0.1.0
 */
import type { ImportSource } from "@effect-kustomer/client"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { CliError } from "./Failure.js"

const pairPattern = /^([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)=(.+)$/s

/**
 * A `field=Column` pair, or `undefined` when the value is not one (then it names a file).
 *
 * @since 0.1.0
 */
export const parsePair = (value: string): readonly [field: string, column: string] | undefined => {
  const match = pairPattern.exec(value)
  return match === null || match[1] === undefined || match[2] === undefined ? undefined : [match[1], match[2]]
}

const CsvColumn = Schema.Struct({
  column: Schema.String,
  as: Schema.optionalWith(Schema.Literal("string", "number", "boolean", "list", "datetime", "json"), { exact: true }),
  separator: Schema.optionalWith(Schema.String, { exact: true })
})

/**
 * The JSON form of a mapping file: field → column name, `{ column, as, separator }`, or `{ value }` (a constant).
 *
 * @since 0.1.0
 */
export const MappingFile = Schema.Record({
  key: Schema.String,
  value: Schema.Union(Schema.String, CsvColumn, Schema.Struct({ value: Schema.Unknown }))
})

// Excess properties are errors, so that a misspelt `as` or `separator` is reported instead of read as `{ value }`.
const decodeFile = Schema.decodeUnknownEither(Schema.parseJson(MappingFile), { onExcessProperty: "error" })

/**
 * Parses the text of a mapping file.
 *
 * @since 0.1.0
 */
export const parseFile = (path: string, text: string): Either.Either<ImportSource.CsvMapping, CliError> =>
  Either.mapLeft(decodeFile(text), (error) =>
    new CliError({
      message: `--mapping ${path}: not a mapping (a JSON object of field → column, { column, as, separator } ` +
        `or { value }): ${ParseResult.TreeFormatter.formatErrorSync(error).split("\n").slice(0, 4).join(" ")}`
    }))

/**
 * Combines every `--mapping` value into one mapping; `undefined` when there is none (column names are then the
 * field paths).
 *
 * @since 0.1.0
 */
export const resolve = (
  values: ReadonlyArray<string>
): Effect.Effect<ImportSource.CsvMapping | undefined, CliError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    if (values.length === 0) return undefined
    const fs = yield* FileSystem.FileSystem
    let mapping: Record<string, ImportSource.CsvMapping[string]> = {}
    for (const value of values) {
      const pair = parsePair(value)
      if (pair !== undefined) {
        mapping = { ...mapping, [pair[0]]: pair[1] }
        continue
      }
      const text = yield* fs.readFileString(value).pipe(
        Effect.mapError((error) =>
          new CliError({
            message: `--mapping ${value}: neither a field=Column pair nor a readable JSON file (${error.message})`
          })
        )
      )
      mapping = { ...mapping, ...(yield* parseFile(value, text)) }
    }
    return mapping
  })
