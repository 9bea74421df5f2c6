/**
 * The settings a journal's run is known by: the pipeline's (they shape chunks and refs) and those that shape the
 * records themselves (format, CSV mapping, field checks). A resume with other settings is refused.
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

/** What shapes the records read from the input. */
export class RecordSettings extends Schema.Class<RecordSettings>("RecordSettings")({
  format: Schema.Literal("jsonl", "json", "csv"),
  csv: Schema.Struct({ mapping: Schema.Unknown, delimiter: Schema.String, timeZone: Schema.optional(Schema.String) }),
  encoding: Schema.optional(Schema.String),
  unknownFields: Schema.String,
  customClientRef: Schema.Boolean
}) {}

/** A run's settings: the pipeline's, as it describes them, and the records'. */
export class RunSettings extends Schema.Class<RunSettings>("RunSettings")({
  pipeline: Schema.Unknown,
  records: RecordSettings
}) {}

const encode = Schema.encode(Schema.parseJson(RunSettings))
const decodePipeline = Schema.decodeUnknown(Schema.parseJson())

/** The settings as the journal stores them: JSON text, the pipeline's own JSON embedded as a value. */
export const text = (pipeline: string, records: RecordSettings): Effect.Effect<string> =>
  decodePipeline(pipeline).pipe(
    Effect.orElseSucceed((): unknown => pipeline),
    Effect.flatMap((parsed) => encode(new RunSettings({ pipeline: parsed, records }))),
    Effect.orDie
  )
