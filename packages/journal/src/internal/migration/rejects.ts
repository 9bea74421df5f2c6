/** The migration's rejects file: one JSON line per object not created, with its resource and bundle line. */
import type { ImportEvent } from "@effect-kustomer/client"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as RejectsFile from "../../RejectsFile.js"
import type { Phase } from "./pipeline.js"

/** The rejects file's line for an outcome: the import's entry, with the resource it belongs to. */
export const rejectLine = (phase: Phase, outcome: ImportEvent.Outcome): Option.Option<string> =>
  Option.map(RejectsFile.entryOf(outcome), (entry) => `${JSON.stringify({ resource: phase, ...entry })}\n`)

/** Writes outcomes that are not successes to a fresh rejects file, with their resource. */
export const rejectsWriter = (path: string | undefined) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const file = path === undefined ? undefined : yield* fs.open(path, { flag: "w" })
    const encoder = new TextEncoder()
    let written = 0
    return {
      write: (phase: Phase, outcome: ImportEvent.Outcome) =>
        Option.match(file === undefined ? Option.none() : rejectLine(phase, outcome), {
          onNone: () => Effect.void,
          onSome: (line) =>
            Effect.map(Effect.orDie(file?.write(encoder.encode(line)) ?? Effect.void), () => {
              written += 1
            })
        }),
      written: () => written
    }
  })
