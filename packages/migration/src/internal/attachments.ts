/**
 * The source's attachments of messages and notes, carried over: each one's document created
 * (`POST /v1/attachments`, one request of the org's budget), its bytes streamed from the bundle's file — or from
 * the source's URL, through a temporary file — to the presigned upload, and the message or note sent referencing
 * it. Each step is recorded in the id map before the next is taken, so that a kill at any moment neither uploads
 * a file into a second document (a document whose upload is in doubt is uploaded again, to the same document) nor
 * sends a message that references a document without its bytes.
 *
 * An attachment that cannot be carried — no such file, a source that answers 404 or 401, a size that does not
 * match, a file the API refuses — is that attachment's reject, with its reason: its message or note is still sent.
 * One that cannot be carried *for now* (the API or the storage keeps failing past the retries) holds its message
 * or note for a later attempt, as a parent in doubt does. A download or upload that moves no byte for the idle
 * timeout fails that attempt as `Stalled` and is retried like a dropped connection, so no transfer waits for ever.
 */
import {
  Attachments,
  type ImportSource,
  type KustomerClient,
  KustomerError,
  RetryPolicy
} from "@effect-kustomer/client"
import { Attachment } from "@effect-kustomer/domain"
import * as FileSystem from "@effect/platform/FileSystem"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Path from "@effect/platform/Path"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import type * as Redacted from "effect/Redacted"
import type * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as BundleSchema from "../Bundle.js"
import type * as IdMap from "./idMap.js"

/** Credentials for the source's URLs on one host (and its subdomains), sent as HTTP Basic; never to another host. */
export interface SourceCredentials {
  readonly host: string
  readonly username: string
  readonly password: Redacted.Redacted
}

/** How attachments are carried. */
export interface AttachmentOptions {
  /** Credentials for the source's URLs (e.g. Zendesk's `content_url`: `<email>/token` and an API token). */
  readonly sourceCredentials?: ReadonlyArray<SourceCredentials> | undefined
  /** A file larger than this many bytes is not carried (its reject says so). Default: no limit here. */
  readonly maxBytes?: number | undefined
  /**
   * A download from the source or an upload to the storage host that moves no byte for this long fails that
   * attempt as `Stalled`, retried like a dropped connection; a source still stalled after the retries is that
   * attachment's reject. Default 60 s (`Attachments.defaultIdleTimeout`).
   */
  readonly idleTimeout?: Duration.DurationInput | undefined
  /** Attachments carried at once. Default 4. */
  readonly concurrency?: number | undefined
  /**
   * Leave the source's attachments out, knowingly (they are counted as `skipped`; Kustomer's own references are
   * kept). Default false.
   */
  readonly skip?: boolean | undefined
}

/** What the attachments of a run came to. */
export interface AttachmentCounts {
  /** Referenced by the messages and notes sent (uploaded now or by an earlier attempt). */
  readonly carried: number
  readonly bytes: number
  /** Not carried, each with its reason (a reject). */
  readonly notCarried: number
  /** Not carried for now: their message or note is held for a later attempt. */
  readonly held: number
  /** Left out on purpose (`skip`). */
  readonly skipped: number
}

/** An attachment not carried: its message or note (phase and bundle position), and why. */
export interface AttachmentReject {
  readonly phase: string
  readonly position: ImportSource.Position
  readonly attachment: unknown
  readonly reason: string
}

/** What carrying one attachment came to. */
type Carried =
  | { readonly _tag: "Carried"; readonly reference: Attachment.Attachment }
  | { readonly _tag: "NotCarried"; readonly reason: string }
  | { readonly _tag: "Held"; readonly reason: string }

const carried = (reference: Attachment.Attachment): Carried => ({ _tag: "Carried", reference })
const notCarried = (reason: string): Carried => ({ _tag: "NotCarried", reason })
const held = (reason: string): Carried => ({ _tag: "Held", reason })

/** What the carrier needs: the API, the plain HTTP client (storage and source URLs), the files, the id map. */
export interface CarrierContext {
  readonly client: KustomerClient.KustomerClient["Type"]
  readonly store: Pick<IdMap.IdMap, "attachments" | "setAttachment">
  /** The bundle's folder: a `path` is relative to it. */
  readonly baseDir: string
  readonly schedule: Schedule.Schedule<unknown, KustomerError.KustomerError>
  readonly maxRateLimitRetries: number
  readonly options: AttachmentOptions
  readonly onReject: (reject: AttachmentReject) => Effect.Effect<void>
}

/** The attachments' key: which attachment of which message or note. */
export const keyOf = (phase: string, childIndex: number, attachmentIndex: number) =>
  `${phase}:${childIndex}:${attachmentIndex}`

const decodeSource = Schema.decodeUnknownEither(BundleSchema.SourceAttachment)
const decodeUpload = Schema.decodeUnknownOption(Schema.parseJson(Attachment.Upload))

const loopbackHosts = new Set(["localhost", "127.0.0.1", "[::1]", "::1"])

/** Why a source URL is not fetched, if it is not: only `https`, or plain `http` to this machine. */
const urlProblem = (url: URL): string | undefined =>
  url.protocol === "https:" || (url.protocol === "http:" && loopbackHosts.has(url.hostname))
    ? undefined
    : `${url.protocol}//${url.host}: only https URLs (plain http for this machine only) are fetched`

const credentialsFor = (url: URL, credentials: ReadonlyArray<SourceCredentials>) =>
  credentials.find((entry) => url.hostname === entry.host || url.hostname.endsWith(`.${entry.host}`))

const apiError = (method: string, reason: KustomerError.Reason) =>
  new KustomerError.KustomerError({ module: "Attachments", method, reason })

/** A download's answer as an API-style error: 5xx and dropped connections retryable, anything else not. */
const downloadFailure = (status: number, url: URL) =>
  apiError(
    "download",
    Attachments.reasonForStatus(status, `the source answered ${status} for ${url.origin}${url.pathname}`)
  )

/** Is the reason one that a later attempt may get past (the API or the storage failing for now)? */
const isForNow = (error: KustomerError.KustomerError) => error.reason.retryable

/** Node's codes of a host that cannot be reached at all: retrying the same URL cannot help. */
const unreachableCodes = new Set(["ENOTFOUND", "EAI_AGAIN", "ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH"])

/** The Node error code somewhere in an error's causes, if any. */
const codeOf = (error: unknown, depth = 0): string | undefined => {
  if (!Predicate.isRecord(error) && !(error instanceof Error)) return undefined
  const code = Predicate.hasProperty(error, "code") && typeof error.code === "string" ? error.code : undefined
  if (code !== undefined || depth > 4) return code
  return Predicate.hasProperty(error, "cause") ? codeOf(error.cause, depth + 1) : undefined
}

/** The files, the HTTP client and the carrier's own temporary folder. */
interface Tools {
  readonly fs: FileSystem.FileSystem
  readonly path: Path.Path
  readonly http: HttpClient.HttpClient
  readonly temp: string
}

/** Downloads a URL to `file`, following redirects (credentials only to their own host), retried when it may pass. */
const download = (tools: Tools, context: CarrierContext, url: URL, file: string) => {
  const transport = (detail: string) =>
    apiError("download", new KustomerError.Transport({ delivery: "maybe-sent", detail }))
  const idleTimeout = context.options.idleTimeout ?? Attachments.defaultIdleTimeout
  // Each attempt has its own idle timeout: no answer, or no byte of the body, for that long fails it as `Stalled`.
  const fetchOnce = Attachments.withIdleTimeout(
    idleTimeout,
    (progress) => fetchWithin(url, 0, progress),
    Attachments.stalled("Attachments", "download", `downloading ${url.origin}${url.pathname}`)
  )
  const fetchWithin = (
    target: URL,
    hops: number,
    progress: Effect.Effect<void>
  ): Effect.Effect<void, KustomerError.KustomerError> =>
    Effect.gen(function*() {
      const credentials = credentialsFor(target, context.options.sourceCredentials ?? [])
      const plain = HttpClientRequest.get(target)
      const request = credentials === undefined
        ? plain
        : HttpClientRequest.basicAuth(plain, credentials.username, credentials.password)
      const response = yield* Effect.mapError(tools.http.execute(request), (error) => {
        const code = codeOf(error.cause)
        return code !== undefined && unreachableCodes.has(code)
          ? apiError(
            "download",
            new KustomerError.InvalidRequest({ status: 0, detail: `${target.host} cannot be reached (${code})` })
          )
          : transport(error.message)
      })
      yield* progress
      const location = response.headers["location"]
      if (response.status >= 300 && response.status < 400 && location !== undefined && hops < 5) {
        const next = new URL(location, target)
        const problem = urlProblem(next)
        // The redirect's target is the same attempt: its bytes are the signs of life this attempt waits for.
        return yield* problem === undefined
          ? fetchWithin(next, hops + 1, progress)
          : Effect.fail(apiError("download", new KustomerError.InvalidRequest({ status: 0, detail: problem })))
      }
      if (response.status < 200 || response.status >= 300) return yield* downloadFailure(response.status, target)
      yield* Effect.mapError(
        Stream.run(Stream.tap(response.stream, () => progress), tools.fs.sink(file)),
        (error) => transport(error.message)
      )
    }).pipe(Effect.scoped)
  return RetryPolicy.retry(fetchOnce, {
    schedule: context.schedule,
    maxRateLimitRetries: context.maxRateLimitRetries,
    write: false
  })
}

/** The attachment's bytes as a local file: the bundle's own, or the URL's downloaded; or why it cannot be had. */
const localFile = (
  tools: Tools,
  context: CarrierContext,
  key: string,
  source: BundleSchema.SourceAttachment
): Effect.Effect<Either.Either<{ readonly file: string; readonly temporary: boolean }, Carried>> => {
  if (source.path !== undefined) {
    return Effect.succeed(Either.right({ file: tools.path.resolve(context.baseDir, source.path), temporary: false }))
  }
  if (source.url === undefined) return Effect.succeed(Either.left(notCarried("it has neither a path nor a url")))
  const url = Option.getOrUndefined(Option.liftThrowable((text: string) => new URL(text))(source.url))
  if (url === undefined) return Effect.succeed(Either.left(notCarried(`${source.url} is not a URL`)))
  const problem = urlProblem(url)
  if (problem !== undefined) return Effect.succeed(Either.left(notCarried(problem)))
  const file = tools.path.join(tools.temp, key.replace(/[^A-Za-z0-9_-]/g, "_"))
  // The source failing — unreachable, 404, 401, or still failing after the retries — costs that attachment only:
  // a message is never held back for its source, which may never answer again.
  return download(tools, context, url, file).pipe(
    Effect.as(Either.right({ file, temporary: true })),
    Effect.catchAll((error) => Effect.succeed(Either.left(notCarried(`${source.url}: ${error.message}`))))
  )
}

/** Carries one attachment from where the id map says it stands. */
const carryOne = (
  tools: Tools,
  context: CarrierContext,
  key: string,
  source: BundleSchema.SourceAttachment,
  row: IdMap.AttachmentRow | undefined
): Effect.Effect<Carried, IdMap.IdMapError> =>
  Effect.gen(function*() {
    if (row?.state === "uploaded" && row.document !== null && row.name !== null && row.contentType !== null) {
      return carried({
        _id: row.document,
        name: row.name,
        contentType: row.contentType,
        contentLength: row.contentLength ?? 0
      })
    }
    if (row?.state === "failed") return notCarried(row.reason ?? "not carried")
    const local = yield* localFile(tools, context, key, source)
    if (Either.isLeft(local)) return local.left
    const result = yield* carryFile(tools, context, key, source, row, local.right.file)
    if (local.right.temporary) yield* Effect.ignore(tools.fs.remove(local.right.file))
    return result
  })

/** Creates the document (unless the id map has one whose upload is in doubt) and uploads the file into it. */
const carryFile = (
  tools: Tools,
  context: CarrierContext,
  key: string,
  source: BundleSchema.SourceAttachment,
  row: IdMap.AttachmentRow | undefined,
  file: string
): Effect.Effect<Carried, IdMap.IdMapError> =>
  Effect.gen(function*() {
    const name = source.name ?? tools.path.basename(file)
    const contentType = source.contentType ?? "application/octet-stream"
    const info = yield* Effect.either(tools.fs.stat(file))
    if (Either.isLeft(info)) return notCarried(`${source.path ?? name}: ${info.left.message}`)
    const size = Number(info.right.size)
    if (source.size !== undefined && source.size !== size) {
      return notCarried(`the file has ${size} bytes, the bundle says ${source.size}`)
    }
    const maxBytes = context.options.maxBytes
    if (maxBytes !== undefined && size > maxBytes) return notCarried(`${size} bytes, over the limit of ${maxBytes}`)
    const created: Attachment.AttachmentCreate = { name, contentType, contentLength: size }
    const retried = <A, E>(effect: Effect.Effect<A, KustomerError.KustomerError | E>) =>
      RetryPolicy.retry(effect, {
        schedule: context.schedule,
        maxRateLimitRetries: context.maxRateLimitRetries,
        write: false
      })
    const recorded = (state: IdMap.AttachmentRow["state"], fields: Partial<IdMap.AttachmentRow>) =>
      context.store.setAttachment({
        key,
        state,
        document: null,
        upload: null,
        reason: null,
        name,
        contentType,
        contentLength: size,
        ...fields
      })
    // A document whose upload is in doubt gets its bytes again; any other is created (again, if its creation was
    // in doubt: that document never got bytes, so no file is in two documents).
    const known = row?.state === "created" && row.document !== null && row.contentLength === size
      ? Option.map(Option.flatMap(Option.fromNullable(row.upload), (json) => decodeUpload(json)), (upload) => ({
        id: row.document ?? "",
        upload
      }))
      : Option.none()
    const document = Option.isSome(known) ? Either.right(known.value) : yield* Effect.gen(function*() {
      yield* recorded("creating", {})
      return yield* Effect.either(retried(context.client.createAttachment(created)))
    })
    if (Either.isLeft(document)) {
      return yield* failedOrHeld(document.left, (reason) => recorded("failed", { reason }))
    }
    const { id, upload } = document.right
    if (Option.isNone(known)) yield* recorded("created", { document: id, upload: JSON.stringify(upload) })
    const bytes = yield* Effect.either(
      Effect.provideService(Attachments.fileSource(file, { name, contentType }), FileSystem.FileSystem, tools.fs)
    )
    if (Either.isLeft(bytes)) return notCarried(bytes.left.message)
    const uploader = Attachments.makeWith(tools.http, { idleTimeout: context.options.idleTimeout })
    const uploaded = yield* Effect.either(retried(uploader.upload(upload, bytes.right)))
    if (Either.isLeft(uploaded)) {
      const error = uploaded.left
      return Predicate.isTagged(error, "KustomerError")
        ? yield* failedOrHeld(error, (reason) => recorded("failed", { reason, document: id }))
        : yield* Effect.as(recorded("failed", { reason: error.message, document: id }), notCarried(error.message))
    }
    yield* recorded("uploaded", { document: id, upload: null })
    return carried(Attachment.referenceOf(id, created))
  })

/** An API or storage error: held when a later attempt may pass it, else the attachment's reject (recorded). */
const failedOrHeld = <E>(
  error: KustomerError.KustomerError,
  recordFailure: (reason: string) => Effect.Effect<void, E>
): Effect.Effect<Carried, E> =>
  isForNow(error)
    ? Effect.succeed(held(error.message))
    : Effect.as(recordFailure(error.message), notCarried(error.message))

/** One attachment of a message or note, and what became of it (`Kept`: already one of Kustomer's). */
interface Outcome {
  readonly attachment: unknown
  readonly carried: Carried | { readonly _tag: "Kept" }
}

/** Carries the attachments of messages and notes; counts what they came to. */
export interface Carrier {
  /**
   * The message or note as sent: its source attachments replaced by references to uploaded documents, those not
   * carried left out (each reported); `held` when one cannot be carried for now.
   */
  readonly carry: (
    phase: string,
    position: ImportSource.Position,
    value: unknown
  ) => Effect.Effect<unknown | typeof heldChild, IdMap.IdMapError>
  readonly counts: () => AttachmentCounts
}

/**
 * A message or note as a dry run checks it: Kustomer's own attachment references kept, the source's left out (a
 * dry run uploads nothing).
 */
export const withoutSourceAttachments = (value: unknown): unknown => {
  if (!Predicate.isRecord(value) || !Array.isArray(value["attachments"])) return value
  const kept = value["attachments"].filter((attachment: unknown) =>
    Schema.is(BundleSchema.KustomerAttachment)(attachment)
  )
  const { attachments: _attachments, ...fields } = value
  return kept.length === 0 ? fields : { ...fields, attachments: kept }
}

/** What {@link Carrier.carry} answers for a message or note that waits for a later attempt. */
export const heldChild = "held" as const

/** A carrier for the scope's life (its temporary folder goes with it). */
export const make = (
  context: CarrierContext
): Effect.Effect<Carrier, never, FileSystem.FileSystem | Path.Path | HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const tools: Tools = {
      fs,
      path: yield* Path.Path,
      http: yield* HttpClient.HttpClient,
      temp: yield* Effect.orDie(fs.makeTempDirectoryScoped({ prefix: "kustomer-attachments-" }))
    }
    const counts = { carried: 0, bytes: 0, notCarried: 0, held: 0, skipped: 0 }
    const carry: Carrier["carry"] = (phase, position, value) =>
      Effect.gen(function*() {
        if (!Predicate.isRecord(value) || !Array.isArray(value["attachments"])) return value
        const list: ReadonlyArray<unknown> = value["attachments"]
        if (context.options.skip === true) {
          const kept = withoutSourceAttachments(value)
          counts.skipped += list.length -
            (Predicate.isRecord(kept) && Array.isArray(kept["attachments"]) ? kept["attachments"].length : 0)
          return kept
        }
        const keys = list.map((_, index) => keyOf(phase, position.index, index))
        const rows = yield* context.store.attachments(keys)
        const outcomes = yield* Effect.forEach(list, (attachment, index): Effect.Effect<Outcome, IdMap.IdMapError> => {
          const key = keys[index] ?? keyOf(phase, position.index, index)
          if (Schema.is(BundleSchema.KustomerAttachment)(attachment)) {
            return Effect.succeed({ attachment, carried: { _tag: "Kept" } as const })
          }
          return Either.match(decodeSource(attachment), {
            onLeft: (error) =>
              Effect.succeed({ attachment, carried: notCarried(BundleSchema.reasonOf(error, "attachment")) }),
            onRight: (source) =>
              Effect.map(carryOne(tools, context, key, source, rows.get(key)), (result) => ({
                attachment,
                carried: result
              }))
          })
        }, { concurrency: context.options.concurrency ?? 4 })
        const references: Array<unknown> = []
        let waiting = false
        for (const outcome of outcomes) {
          const result = outcome.carried
          switch (result._tag) {
            case "Kept":
              references.push(outcome.attachment)
              break
            case "Carried":
              counts.carried += 1
              counts.bytes += result.reference.contentLength
              references.push(result.reference)
              break
            case "NotCarried":
              counts.notCarried += 1
              yield* context.onReject({ phase, position, attachment: outcome.attachment, reason: result.reason })
              break
            case "Held":
              waiting = true
          }
        }
        if (waiting) {
          counts.held += 1
          return heldChild
        }
        const { attachments: _attachments, ...fields } = value
        return references.length === 0 ? fields : { ...fields, attachments: references }
      })
    return { carry, counts: () => ({ ...counts }) } satisfies Carrier
  })
