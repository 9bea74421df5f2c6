/** Durable imports wired to an in-process simulator, and input files for them. */
import { KustomerAuth, KustomerClient, KustomerConfig, RateLimiter } from "@effect-kustomer/client"
import { Simulator, SimulatorClient, type SimulatorConfig } from "@effect-kustomer/simulator"
import { NodeFileSystem } from "@effect/platform-node"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
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
