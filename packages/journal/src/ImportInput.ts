/**
 * The input of a durable import: what identifies it (path, size, SHA-256), the externalIds derived from that
 * identity, and its records — read as `ImportSource` reads them, keeping the text of lines that are not JSON (for
 * the rejects file) and reading a rejects file's lines as the records they hold.
 *
 * @since 0.1.0
 */
import { ImportSource } from "@effect-kustomer/client"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Sink from "effect/Sink"
import * as Stream from "effect/Stream"
import * as Digest from "./internal/digest.js"
import * as RejectsFile from "./RejectsFile.js"

/**
 * What identifies an input: the same bytes are the same input, wherever they are read from.
 *
 * @since 0.1.0
 */
export interface Identity {
  /** The path as given; `-` for standard input. */
  readonly path: string
  readonly format: ImportSource.Format
  readonly bytes: number
  /** SHA-256 of the content, in hex. */
  readonly sha256: string
  /** The number of records, when counting them was cheap (JSON Lines: its non-blank lines). */
  readonly records: number | undefined
}

/**
 * The fingerprint a journal keeps: `sha256:<hex>;bytes:<size>`.
 *
 * @since 0.1.0
 */
export const fingerprint = (identity: Identity): string => `sha256:${identity.sha256};bytes:${identity.bytes}`

/**
 * The externalId given to a record that has none: `import-<first 12 hex digits of the SHA-256>-<record index>`.
 * The same input gives the same ids on every run, so a resent record is recognised as a duplicate.
 *
 * @since 0.1.0
 */
export const assignedExternalId = (identity: Identity) => (position: ImportSource.Position): string =>
  `import-${identity.sha256.slice(0, 12)}-${position.index}`

/** The identity of the bytes a digest saw. */
const identityOf = (path: string, format: ImportSource.Format, digest: Digest.Digest): Identity => ({
  path,
  format,
  bytes: digest.bytes(),
  sha256: digest.sha256(),
  records: format === "jsonl" ? digest.lines() : undefined
})

/**
 * Reads a file once to identify it.
 *
 * @since 0.1.0
 */
export const identify = (
  path: string,
  format: ImportSource.Format
): Effect.Effect<Identity, ImportSource.SourceError, FileSystem.FileSystem> =>
  Effect.suspend(() => {
    const digest = Digest.make()
    return Stream.runForEach(ImportSource.fileBytes(path), (chunk) => Effect.sync(() => digest.update(chunk))).pipe(
      Effect.map(() => identityOf(path, format, digest)),
      Effect.withSpan("ImportInput.identify", { attributes: { "import.input": path } })
    )
  })

/**
 * Copies a stream of bytes (standard input) to a temporary file that lasts as long as the scope, identifying it
 * on the way: a journal needs the identity before the first record, and a resume needs the bytes again.
 *
 * @since 0.1.0
 */
export const spool = <E>(
  bytes: Stream.Stream<Uint8Array, E>,
  format: ImportSource.Format,
  name = "-"
): Effect.Effect<
  { readonly file: string; readonly identity: Identity },
  E | ImportSource.SourceError,
  FileSystem.FileSystem | Scope.Scope
> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const fail = (error: { readonly message: string }) =>
      new ImportSource.SourceError({ source: name, reason: `cannot keep a copy of the input: ${error.message}` })
    const file = yield* fs.makeTempFileScoped({ prefix: "kustomer-import-" }).pipe(Effect.mapError(fail))
    const digest = Digest.make()
    yield* bytes.pipe(
      Stream.tap((chunk) => Effect.sync(() => digest.update(chunk))),
      Stream.run(Sink.mapError(fs.sink(file), fail))
    )
    return { file, identity: identityOf(name, format, digest) }
  })

/**
 * Identifies a stream of bytes while it is read: `identity` is complete once the stream ended.
 *
 * @since 0.1.0
 */
export const identifyWhileReading = <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  format: ImportSource.Format,
  name = "-"
): { readonly bytes: Stream.Stream<Uint8Array, E, R>; readonly identity: Effect.Effect<Identity> } => {
  const digest = Digest.make()
  return {
    bytes: Stream.tap(bytes, (chunk) => Effect.sync(() => digest.update(chunk))),
    identity: Effect.sync(() => identityOf(name, format, digest))
  }
}

/**
 * Records, and the text of the input lines that were not JSON (until {@link Records.forget} is called for them).
 *
 * @since 0.1.0
 */
export interface Records<E, R> {
  readonly records: Stream.Stream<ImportSource.SourceRecord, E | ImportSource.SourceError, R>
  /** The text of the record at `index`, when it was a line that is not JSON. */
  readonly rawText: (index: number) => string | undefined
  /** Drops the text kept for `index`. */
  readonly forget: (index: number) => void
}

/**
 * The records of an input in `format`, read by `ImportSource`'s readers (one JSON Lines reader for the client and
 * the journal: same positions, same checks), keeping the text of lines that could not be read; in every format, a
 * line of a rejects file stands for its record.
 *
 * @since 0.1.0
 */
export const records = <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  format: ImportSource.Format,
  options: ImportSource.ReadOptions = {}
): Records<E, R> => {
  const texts = new Map<number, string>()
  const kept = (record: ImportSource.SourceRecord): ImportSource.SourceRecord => {
    if (record._tag === "Unparsable" && record.text !== undefined) texts.set(record.position.index, record.text)
    return record
  }
  const unwrapped = (record: ImportSource.SourceRecord): ImportSource.SourceRecord => {
    if (record._tag === "Unparsable") return kept(record)
    return Option.match(RejectsFile.unwrap(record.value), {
      onNone: () => record,
      onSome: (inner) =>
        inner._tag === "Record"
          ? ImportSource.parsed(record.position, inner.record)
          : kept(ImportSource.fromJsonText(record.position, inner.text))
    })
  }
  return {
    records: Stream.map(ImportSource.fromBytes(bytes, format, options), unwrapped),
    rawText: (index) => texts.get(index),
    forget: (index) => {
      texts.delete(index)
    }
  }
}
