/**
 * Durable imports wired to an in-process simulator, input files for them, and a file system whose disk fills up.
 * The migration's tests (`packages/migration/test`) use it too.
 */
import { KustomerAuth, KustomerClient, KustomerConfig, RateLimiter } from "@effect-kustomer/client"
import { Simulator, SimulatorClient, type SimulatorConfig } from "@effect-kustomer/simulator"
import { NodeFileSystem } from "@effect/platform-node"
import { SystemError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import * as NodeFs from "node:fs"
import type { DurableImport } from "../src/index.js"

/**
 * A simulator in process (on the real clock: the journal and the files are real too), a client aimed at it, and
 * the Node file system.
 */
export const simulated = (options: SimulatorConfig.SimulatorOptions = {}) => {
  const simulator = SimulatorClient.layerSimulator({ jobLatency: "5 millis", itemLatency: "0 millis", ...options })
  const client = KustomerClient.layer().pipe(
    Layer.provideMerge(RateLimiter.layer({ margin: 0 })),
    Layer.provide(Layer.mergeAll(
      KustomerConfig.layer({ baseUrl: "http://localhost:4010" }),
      Layer.unwrapEffect(Effect.map(Simulator.Simulator, (sim) => KustomerAuth.layer(Redacted.make(sim.apiKey))))
    ))
  )
  return Layer.mergeAll(Layer.provideMerge(client, simulator), NodeFileSystem.layer)
}

/** Pipeline timing for tests: short lingers and polls, so that a run takes milliseconds of real time. */
export const fastPipeline: NonNullable<DurableImport.Options["pipeline"]> = {
  linger: "5 millis",
  firstPollDelay: "10 millis",
  pollSchedule: Schedule.spaced("10 millis")
}

/** A fresh directory that lasts as long as the test's scope. */
export const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "durable-" }))

/** The lines of a JSON Lines file (a rejects file, a bundle), parsed. */
export const readJsonLines = (path: string): ReadonlyArray<Record<string, unknown>> =>
  NodeFs.readFileSync(path, "utf8").split("\n").filter((line) => line.length > 0).map((line) => JSON.parse(line))

/** The error Node gives a write to a full disk, as the platform's file system reports it. */
export const noSpaceOnDevice = (path: string) =>
  new SystemError({
    reason: "Unknown",
    module: "FileSystem",
    method: "write",
    pathOrDescriptor: path,
    syscall: "write",
    description: "ENOSPC: no space left on device, write",
    cause: Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC", syscall: "write" })
  })

/** The file system, except that the file at `path` takes only `room` bytes: writes beyond fail with ENOSPC. */
export const fileSystemWithRoom = (path: string, room: number) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const left = yield* Ref.make(room)
    const spend = (bytes: number) =>
      Effect.flatMap(
        Ref.modify(left, (now) => [now >= bytes, now - bytes]),
        (fits) => fits ? Effect.void : Effect.fail(noSpaceOnDevice(path))
      )
    const limited = (file: FileSystem.File): FileSystem.File => ({
      [FileSystem.FileTypeId]: FileSystem.FileTypeId,
      fd: file.fd,
      stat: file.stat,
      sync: file.sync,
      seek: (offset, from) => file.seek(offset, from),
      read: (buffer) => file.read(buffer),
      readAlloc: (size) => file.readAlloc(size),
      truncate: (length) => file.truncate(length),
      write: (buffer) => Effect.zipRight(spend(buffer.length), file.write(buffer)),
      writeAll: (buffer) => Effect.zipRight(spend(buffer.length), file.writeAll(buffer))
    })
    const full: FileSystem.FileSystem = {
      ...fs,
      open: (target, options) =>
        target === path ? Effect.map(fs.open(target, options), (file) => limited(file)) : fs.open(target, options)
    }
    return full
  })

/** A valid conversation record. */
export const conversation = (index: number, customer: string, withExternalId = true) => ({
  customer,
  ...(withExternalId ? { externalId: `ticket-${index}` } : {}),
  name: `Ticket ${index}`,
  status: index % 3 === 0 ? "done" : "open",
  priority: (index % 5) + 1,
  tags: ["imported"]
})

/** What an input file holds: its lines, and which records are valid or not (by 1-based line). */
export interface InputFile {
  readonly text: string
  readonly records: number
  readonly valid: number
  /** Lines of records the client rejects (bad priority, not JSON). */
  readonly rejectedLines: ReadonlyArray<number>
  /** Lines of records the API refuses (unknown customer). */
  readonly failedLines: ReadonlyArray<number>
}

/** Options of {@link inputFile}. */
export interface InputFileOptions {
  readonly records: number
  readonly customers: ReadonlyArray<string>
  /** Every n-th record has a priority of 9 (rejected before sending). */
  readonly invalidEvery?: number
  /** Every n-th record names a customer that does not exist (refused by the API). */
  readonly unknownCustomerEvery?: number
  /** Every n-th record is not JSON. */
  readonly brokenEvery?: number
  /** Every n-th line is blank, so that lines and indexes differ. */
  readonly blankEvery?: number
  readonly withExternalIds?: boolean
}

/** JSON Lines of conversations with invalid records at known lines. */
export const inputFile = (options: InputFileOptions): InputFile => {
  const lines: Array<string> = []
  const rejectedLines: Array<number> = []
  const failedLines: Array<number> = []
  let valid = 0
  const every = (n: number | undefined, index: number) => n !== undefined && n > 0 && index % n === n - 1
  for (let index = 0; index < options.records; index++) {
    if (every(options.blankEvery, index)) lines.push("")
    const line = lines.length + 1
    const record = conversation(
      index,
      options.customers[index % options.customers.length] ?? "",
      options.withExternalIds ?? true
    )
    if (every(options.brokenEvery, index)) {
      lines.push(`{"name": "Ticket ${index}", "priority": `)
      rejectedLines.push(line)
    } else if (every(options.invalidEvery, index)) {
      lines.push(JSON.stringify({ ...record, priority: 9 }))
      rejectedLines.push(line)
    } else if (every(options.unknownCustomerEvery, index)) {
      lines.push(JSON.stringify({ ...record, customer: "0123456789abcdef01234567" }))
      failedLines.push(line)
    } else {
      lines.push(JSON.stringify(record))
      valid++
    }
  }
  return { text: `${lines.join("\n")}\n`, records: options.records, valid, rejectedLines, failedLines }
}
