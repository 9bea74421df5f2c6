/**
 * The attachments' acceptance test (`pnpm test:soak`, after `pnpm build`): a Zendesk export whose comments carry
 * 40 attachments of 1 kB–2 MB, served by a local HTTP server, converted by `kustomer-bulk convert zendesk` and
 * migrated by `kustomer-bulk migrate` (the built CLI, as processes) into a simulator that answers 3 % of bulk POSTs
 * and uploads with a 5xx and resets 2 % of their connections (half of each after the work was done), killed with
 * SIGKILL three times and run again with the same journal until it finishes. Every file must then be in exactly one
 * uploaded document with its bytes, referenced by exactly its message or note; no document referenced twice, none
 * referenced without its bytes; every message and note stored once.
 *
 * The kills are placed by the files' server, not by the clock: an attempt is killed a moment after the n-th file it
 * downloaded (the first half-way through a file's body), and every later download of that attempt is held
 * unanswered, so that it cannot finish first however fast or slow the machine is.
 */
import { type Inspection, Prng, SimulatorServer } from "@effect-kustomer/simulator"
import { NodeContext } from "@effect/platform-node"
import * as Command from "@effect/platform/Command"
import * as FileSystem from "@effect/platform/FileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import * as NodePath from "node:path"
import * as NodeUrl from "node:url"
import { type ExpectedAttachment, fileServer, makeExport } from "./fixtures/zendeskAttachments.js"

const root = NodePath.resolve(NodePath.dirname(NodeUrl.fileURLToPath(import.meta.url)), "../../..")
const launcher = NodePath.join(root, "packages/cli/bin/kustomer-bulk.mjs")
/** The preload that ends a child whose parent is gone, even by SIGKILL (the launcher passes it to its own child). */
const exitWithParent = NodeUrl.pathToFileURL(NodePath.join(root, "scripts/exit-with-parent.mjs")).href
const seed = 20_260_311

/** Where each attempt is killed: after this share of the files not yet uploaded is downloaded. */
const kills: ReadonlyArray<{ readonly share: number; readonly midBody: boolean; readonly maxDelayMillis: number }> = [
  { share: 0.25, midBody: true, maxDelayMillis: 50 },
  { share: 0.35, midBody: false, maxDelayMillis: 400 },
  { share: 0.7, midBody: false, maxDelayMillis: 400 }
]

/** `kustomer-bulk <args>` as users run it (the built launcher), in a process group of its own. */
const kustomerBulk = (dir: string, args: ReadonlyArray<string>, env: Record<string, string>) =>
  Command.make(process.execPath, "--import", exitWithParent, launcher, ...args).pipe(
    Command.workingDirectory(dir),
    Command.env({ ...env, INIT_CWD: "" })
  )

/** The most one run may take (a run takes 5–70 s here): past it, the run fails with what it wrote. */
const runLimit = Duration.minutes(4)

/** One run: its exit (`killed` when the SIGKILL ended it) and the tail of what it wrote. */
const runOnce = (command: Command.Command, killOn: Effect.Effect<void> | undefined) =>
  Effect.scoped(Effect.gen(function*() {
    const child = yield* Command.start(command)
    let text = ""
    const collect = (stream: typeof child.stdout) =>
      Effect.fork(Stream.runForEach(Stream.decodeText(stream), (part) =>
        Effect.sync(() => {
          text = (text + part).slice(-8_000)
        })))
    const output = yield* Effect.all([collect(child.stdout), collect(child.stderr)])
    if (killOn !== undefined) yield* Effect.forkScoped(Effect.zipRight(killOn, Effect.ignore(child.kill("SIGKILL"))))
    const exit = yield* Effect.either(child.exitCode).pipe(
      Effect.zipLeft(Effect.orDie(Fiber.joinAll(output))),
      Effect.timeoutFail({ duration: runLimit, onTimeout: () => `no end after ${Duration.format(runLimit)}` }),
      Effect.catchAll((problem) => Effect.dieMessage(`${problem}:\n${text}`))
    )
    if (exit._tag === "Left") {
      if (!exit.left.message.includes("SIGKILL")) return yield* Effect.dieMessage(`${exit.left.message}\n${text}`)
      return { code: undefined, killed: true, text }
    }
    return { code: Number(exit.right), killed: false, text }
  }))

/** The documents each file went into, by its bytes (every file's SHA-256 is its own). */
const documentsBySha = (documents: ReadonlyArray<Inspection.StoredAttachment>) => {
  const bySha = new Map<string, Array<Inspection.StoredAttachment>>()
  for (const document of documents) {
    if (document.sha256 === undefined) continue
    bySha.set(document.sha256, [...(bySha.get(document.sha256) ?? []), document])
  }
  return bySha
}

describe("kustomer-bulk migrate, attachments under faults and SIGKILLs", () => {
  it.scopedLive(
    "every file uploaded once with its bytes and referenced by exactly its message or note",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const built = yield* fs.exists(NodePath.join(root, "packages/cli/dist/kustomer-bulk.mjs"))
        assert.isTrue(built, "the CLI is built (run pnpm build first; pnpm test:soak does)")
        const dir = yield* fs.makeTempDirectoryScoped({ prefix: "kustomer-attachments-soak-" })
        // The CLI's temporary downloads go here, so that what a SIGKILL leaves behind goes with the test.
        const tmp = NodePath.join(dir, "tmp")
        yield* fs.makeDirectory(tmp)
        const server = yield* SimulatorServer.make({
          rateLimit: { limit: 100_000, window: "60 seconds" },
          jobLatency: "20 millis",
          itemLatency: "0 millis",
          customers: 0,
          faults: { seed, serverErrorRate: 0.03, connectionResetRate: 0.02, afterAcceptanceShare: 0.5 }
        })
        const planned = makeExport({ tickets: 30, minSize: 1_000, maxSize: 2_000_000, seed })
        const attachments = planned.attachments
        const files = yield* fileServer(attachments)
        const exported = planned.files(files.origin)
        yield* fs.writeFileString(`${dir}/tickets.json`, exported.tickets)
        yield* fs.writeFileString(`${dir}/users.json`, exported.users)
        assert.strictEqual(attachments.length, 40)
        assert.strictEqual(planned.messages + planned.notes, 60)

        const env = {
          KUSTOMER_API_KEY: server.apiKey,
          TMPDIR: tmp,
          // Credentials for Zendesk's hosts only: none may reach this server.
          ZENDESK_EMAIL: "owner@example.com",
          ZENDESK_API_TOKEN: "zendesk-token-never-sent-here"
        }
        const converted = yield* runOnce(
          kustomerBulk(
            dir,
            ["convert", "zendesk", "tickets.json", "--users", "users.json", "--out", "bundle.jsonl"],
            env
          ),
          undefined
        )
        assert.strictEqual(converted.code, 0, converted.text)
        const migrate = kustomerBulk(dir, [
          "migrate",
          `${dir}/bundle.jsonl`,
          "--base-url",
          server.baseUrl,
          "--journal",
          `${dir}/migration.journal`,
          "--rejects",
          `${dir}/rejects.jsonl`,
          "--report",
          `${dir}/report.json`,
          // Small requests, so that the bulk POSTs meet the faults too, and kills find some in flight.
          "--max-items",
          "5",
          // A download or upload that stalls fails its attempt within 10 s (and is retried), well inside a run's
          // limit: no run waits on a held connection.
          "--attachment-idle-timeout",
          "10"
        ], env)

        const uploadedFiles = Effect.map(server.simulator.attachments, (documents) => {
          const bySha = documentsBySha(documents)
          return attachments.filter((attachment) => bySha.has(attachment.sha256)).length
        })
        const next = Prng.make(seed)
        const log: Array<string> = []
        for (const [index, kill] of kills.entries()) {
          const remaining = attachments.length - (yield* uploadedFiles)
          const after = Math.max(1, Math.floor(remaining * kill.share))
          const delay = Math.floor(next() * kill.maxDelayMillis)
          const stopped = yield* Deferred.make<void>()
          files.arm({ after, midBody: kill.midBody, onStop: () => Deferred.unsafeDone(stopped, Effect.void) })
          const run = yield* runOnce(migrate, Effect.zipRight(Deferred.await(stopped), Effect.sleep(delay)))
          log.push(
            `attempt ${index + 1}: ${remaining} files to carry, killed after ${after} (+${delay} ms): ${run.killed}`
          )
          assert.isTrue(run.killed, `attempt ${index + 1} was killed, not ended by itself:\n${run.text}`)
        }
        files.arm(undefined)
        const last = yield* runOnce(migrate, undefined)
        assert.strictEqual(last.code, 0, `${log.join("\n")}\n${last.text}`)
        assert.include(last.text, "Resumed:")

        // Every file: one uploaded document with its bytes, referenced by exactly its message or note.
        const documents = yield* server.simulator.attachments
        const bySha = documentsBySha(documents)
        const objects = new Map<string, { readonly id: string; readonly attachments: unknown }>()
        for (const resource of ["messages", "notes"] as const) {
          for (const object of yield* server.simulator.objects(resource)) {
            objects.set(`${resource}:${object.externalId}`, {
              id: object.id,
              attachments: object.attributes["attachments"]
            })
          }
        }
        const owner = (attachment: ExpectedAttachment) =>
          objects.get(`${attachment.of}:zd-comment-${attachment.commentId}`)
        for (const attachment of attachments) {
          const holding = bySha.get(attachment.sha256) ?? []
          assert.strictEqual(holding.length, 1, `file ${attachment.id} is in exactly one uploaded document`)
          const document = holding[0]
          assert.strictEqual(document?.size, attachment.size, `file ${attachment.id}: its size`)
          const parent = owner(attachment)
          assert.isDefined(parent, `the ${attachment.of} of comment ${attachment.commentId} is stored`)
          assert.deepStrictEqual(document?.referencedBy, [parent?.id], `file ${attachment.id}: referenced by its owner`)
        }
        const expectedShas = new Set(attachments.map((attachment) => attachment.sha256))
        for (const document of documents) {
          assert.isAtMost(document.referencedBy.length, 1, `document ${document.id} is referenced at most once`)
          if (document.referencedBy.length > 0) {
            assert.isTrue(document.uploaded, `document ${document.id} is referenced only once uploaded`)
            assert.isTrue(expectedShas.has(document.sha256 ?? ""), `document ${document.id} holds one of the files`)
          }
        }
        // Each message or note references exactly its own files.
        for (const [key, object] of objects) {
          const references = Array.isArray(object.attachments) ? object.attachments.length : 0
          const own = attachments.filter((attachment) => `${attachment.of}:zd-comment-${attachment.commentId}` === key)
          assert.strictEqual(references, own.length, `${key} references its ${own.length} files`)
        }

        // Every message and note once; nothing rejected; credentials never sent to this host.
        const stats = yield* server.simulator.stats
        assert.strictEqual(stats.messages.stored, planned.messages)
        assert.strictEqual(stats.notes.stored, planned.notes)
        for (const resource of ["customers", "conversations", "messages", "notes"] as const) {
          assert.deepStrictEqual(stats[resource].externalIdsStoredMoreThanOnce, [], resource)
        }
        assert.strictEqual(stats.conversations.stored, 30)
        assert.strictEqual(stats.attachments.referencedTwice, 0)
        assert.strictEqual(stats.attachments.referenced, attachments.length)
        const rejects = yield* fs.readFileString(`${dir}/rejects.jsonl`).pipe(Effect.orElseSucceed(() => ""))
        assert.strictEqual(rejects, "", "no rejects")
        assert.strictEqual(files.withAuthorization(), 0, "no credentials sent to a host that is not Zendesk's")
        yield* Effect.log([
          ...log,
          `documents: ${documents.length} created, ${stats.attachments.uploaded} uploaded, ` +
          `${stats.attachments.uploadRequests} upload requests, ${stats.attachments.uploadFaults} upload faults; ` +
          `files served ${files.served()}; requests ${JSON.stringify(stats.requests.byRoute)}; ` +
          `faults ${JSON.stringify(stats.faults)}`
        ].join("\n"))
        const faults = Object.values(stats.faults).reduce((sum, count) => sum + count, 0)
        assert.isAbove(faults + stats.attachments.uploadFaults, 0, "the simulator injected faults")
      }).pipe(Effect.provide(NodeContext.layer)),
    Duration.toMillis("12 minutes")
  )
})
