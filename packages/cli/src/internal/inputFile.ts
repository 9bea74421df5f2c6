/**
 * The input file of `import` and `migrate`, checked before anything is printed or sent: a missing file or a
 * directory is said plainly, with the directory a relative path was looked up in, instead of the file system's
 * raw error after the first lines of the run.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as NodePath from "node:path"
import { CliError } from "../Failure.js"

/** Fails with a clear message when `path` names no file (standard input, `-`, is not checked). */
export const mustExist = (path: string): Effect.Effect<void, CliError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    if (path === "-") return
    const fs = yield* FileSystem.FileSystem
    const where = NodePath.resolve(path)
    const info = yield* Effect.either(fs.stat(path))
    if (info._tag === "Left") {
      return yield* new CliError({
        message: info.left._tag === "SystemError" && info.left.reason === "NotFound"
          ? `${path}: no such file (looked for ${where}). Check the path; nothing was sent.`
          : `cannot read ${path}: ${info.left.message}`
      })
    }
    if (info.right.type === "Directory") {
      return yield* new CliError({ message: `${path} is a directory; give the file to read. Nothing was sent.` })
    }
  })
