/**
 * The objects a run did not create, grouped by outcome and reason, read from a rejects file (an import's or a
 * migration's, and an import's file of records in doubt): how many lines each reason has, and a few examples with
 * their lines. A migration's line counts the objects not created only because its object was not (`dependants`):
 * they are its group's, and a line that names its `cause` (a conversation of a customer not created) is counted
 * there, not as a reason of its own — so a bad customer or conversation shows once, with what it held back. The file is streamed; at most {@link maxReasons} reasons with {@link examplesPerReason} distinct
 * examples each are kept, so a large file costs little memory.
 *
 * @since 0.1.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { CliError } from "./Failure.js"

/** One reason objects were not created, how often, and where. @since 0.1.0 */
export interface RejectGroup {
  readonly outcome: string
  readonly reason: string
  readonly count: number
  readonly examples: ReadonlyArray<{ readonly where: string; readonly externalId: string | undefined }>
  /** Objects not created only because these were not (a migration's `dependants`). */
  readonly dependants?: number
}

/** The rejects file, grouped. @since 0.1.0 */
export interface Rejects {
  readonly path: string
  readonly lines: number
  readonly groups: ReadonlyArray<RejectGroup>
  /** Lines whose reason was counted under "other reasons" because {@link maxReasons} were kept already. */
  readonly otherLines: number
  /** Lines of objects not created only because of another line's (its `cause`): counted in that line's group. */
  readonly dependantLines?: number
}

/** Reasons kept from a rejects file. @since 0.1.0 */
export const maxReasons = 100

/** Examples kept per reason. @since 0.1.0 */
export const examplesPerReason = 5

const RejectLine = Schema.parseJson(Schema.Struct({
  position: Schema.optional(Schema.Struct({ index: Schema.Number, line: Schema.optional(Schema.Number) })),
  line: Schema.optional(Schema.Number),
  resource: Schema.optional(Schema.String),
  outcome: Schema.optionalWith(Schema.String, { default: () => "Rejected" }),
  reason: Schema.optionalWith(Schema.String, { default: () => "(no reason given)" }),
  externalId: Schema.optional(Schema.String),
  dependants: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Number })),
  cause: Schema.optional(Schema.Unknown)
}))

const whereOf = (entry: typeof RejectLine.Type, lineInFile: number) => {
  const line = entry.position?.line ?? entry.line
  const at = line !== undefined
    ? `line ${line}`
    : entry.position !== undefined
    ? `record ${entry.position.index}`
    : `rejects line ${lineInFile}`
  return entry.resource === undefined ? at : `${entry.resource}, ${at}`
}

/** Groups with the most objects not created first, their dependants included. */
const byObjects = (a: RejectGroup, b: RejectGroup): number =>
  b.count + (b.dependants ?? 0) - a.count - (a.dependants ?? 0) || a.reason.localeCompare(b.reason)

/**
 * Reads a rejects file (an import's or a migration's) and groups its lines by outcome and reason.
 *
 * @since 0.1.0
 */
export const read = (path: string): Effect.Effect<Rejects, CliError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const groups = new Map<string, { -readonly [K in keyof RejectGroup]-?: RejectGroup[K] }>()
    let lines = 0
    let otherLines = 0
    let dependantLines = 0
    yield* fs.stream(path).pipe(
      Stream.decodeText(),
      Stream.splitLines,
      Stream.runForEach((text) =>
        Effect.sync(() => {
          if (text.trim().length === 0) return
          lines += 1
          const decoded = Schema.decodeUnknownOption(RejectLine)(text)
          const entry: typeof RejectLine.Type = Option.getOrElse(
            decoded,
            () => ({ outcome: "Unreadable", reason: "not a JSON line of a rejects file" })
          )
          // Counted by the line of its cause (its customer's), with that line's dependants.
          if (entry.cause !== undefined) return void (dependantLines += 1)
          const reason = entry.resource === undefined ? entry.reason : `${entry.resource}: ${entry.reason}`
          const key = `${entry.outcome}\u0000${reason}`
          let group = groups.get(key)
          if (group === undefined) {
            if (groups.size >= maxReasons) return void (otherLines += 1)
            group = { outcome: entry.outcome, reason, count: 0, examples: [], dependants: 0 }
            groups.set(key, group)
          }
          group.count += 1
          group.dependants += Object.values(entry.dependants ?? {}).reduce((sum, count) => sum + count, 0)
          const where = whereOf(entry, lines)
          // Several objects can come from one line of a bundle (a conversation's messages): one example each.
          if (group.examples.length < examplesPerReason && !group.examples.some((example) => example.where === where)) {
            group.examples = [...group.examples, { where, externalId: entry.externalId }]
          }
        })
      )
    )
    const sorted = [...groups.values()].sort(byObjects)
    return { path, lines, groups: sorted, otherLines, dependantLines }
  }).pipe(
    Effect.mapError((error) => new CliError({ message: `cannot read the rejects file ${path}: ${error.message}` }))
  )

/** Two groupings as one: the same reason in both is counted once with the examples of both. */
const mergeRejects = (a: Rejects, b: Rejects): Rejects => {
  const groups = new Map(a.groups.map((group) => [`${group.outcome}\u0000${group.reason}`, group]))
  for (const group of b.groups) {
    const key = `${group.outcome}\u0000${group.reason}`
    const known = groups.get(key)
    groups.set(
      key,
      known === undefined ? group : {
        ...known,
        count: known.count + group.count,
        examples: [...known.examples, ...group.examples].slice(0, examplesPerReason),
        dependants: (known.dependants ?? 0) + (group.dependants ?? 0)
      }
    )
  }
  return {
    path: `${a.path} and ${b.path}`,
    lines: a.lines + b.lines,
    groups: [...groups.values()].sort(byObjects),
    otherLines: a.otherLines + b.otherLines,
    dependantLines: (a.dependantLines ?? 0) + (b.dependantLines ?? 0)
  }
}

/**
 * The rejects files among `paths` that exist (the rejects file, and an import's file of records in doubt), read
 * and grouped together; `undefined` when none exists (no object was set aside).
 *
 * @since 0.1.0
 */
export const readIfAny = (
  paths: ReadonlyArray<string | undefined>
): Effect.Effect<Rejects | undefined, CliError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    let merged: Rejects | undefined = undefined
    for (const path of paths) {
      if (path === undefined || !(yield* fs.exists(path).pipe(Effect.orElseSucceed(() => false)))) continue
      const groups = yield* read(path)
      merged = merged === undefined ? groups : mergeRejects(merged, groups)
    }
    return merged
  })
