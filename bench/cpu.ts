/**
 * CPU: the client's own work per record, in process, with no network — JSON Lines bytes decoded and parsed, each
 * record validated against the conversation schema, given its `_clientRef`, encoded once, and chunked into request
 * bodies (≤ 100 items, ≤ 100,000 bytes), through `BulkImport.plan`, the import's dry run over the same stages.
 *
 *   pnpm bench cpu [--records 1000000] [--distinct 100000] [--invalid-every 200] [--rounds 3] [--block-kib 64]
 *                  [--spaced 0]
 *
 * The records have mixed sizes (70 % ~150 B, 25 % ~700 B, 5 % ~2.7 kB; one in 200 invalid). The reference is a
 * plain loop over the same lines: `JSON.stringify(JSON.parse(line))`, measured in the same run, alternating with
 * the pipeline in rounds. The figure is the median ratio of their times (target ≤ 1.5); the ratio of the CPU time
 * each spent (all threads) is reported beside it. `--spaced 1` writes the lines as Python's `json.dumps` does, with a
 * space after each `,` and `:`: lines that are not in `JSON.stringify`'s form, which the pipeline serialises again.
 */
import { BulkImport, ImportSource } from "@effect-kustomer/client"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { performance } from "node:perf_hooks"
import { numberFlag } from "./lib/args.js"
import { mixedConversation } from "./lib/records.js"
import { commandLine, machine, round, writeReport } from "./lib/report.js"

const records = numberFlag("records", 1_000_000)
const invalidEvery = numberFlag("invalid-every", 200)
// The input is held in memory as blocks of `--block-kib` KiB (64: what `ImportSource.fileBytes` reads at a time), and
// the first `--distinct` records' blocks are cycled to make up the rest: a file streams through a bounded buffer,
// and holding all of its 420 MB at once would only add GC work that an import from disk never has.
const distinct = Math.min(records, numberFlag("distinct", 100_000))
const rounds = Math.max(1, numberFlag("rounds", 3))
const blockBytes = Math.max(1, numberFlag("block-kib", 64)) * 1024
const spacedLines = numberFlag("spaced", 0) === 1

/** JSON as Python's `json.dumps` writes it by default: `", "` between members, `": "` after keys. */
const spaced = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map((element) => spaced(element)).join(", ")}]`
  if (value !== null && typeof value === "object") {
    return `{${Object.entries(value).map(([key, field]) => `${JSON.stringify(key)}: ${spaced(field)}`).join(", ")}}`
  }
  return JSON.stringify(value)
}

const lineOf = (value: unknown): string => spacedLines ? spaced(value) : JSON.stringify(value)

const customers = ["6b097023c500000000000001", "6b097023c500000000000002", "6b097023c500000000000003"]

/**
 * The input as JSON Lines in blocks cut at line ends, as a file would arrive (without the disk). The first
 * `distinct` records' blocks are made once and cycled; each cycle gets its own `externalId`s (`cpuNN-<index>`, NN
 * the cycle), patched into a copy of the block as it is read, because the pipeline rejects an `externalId` that an
 * earlier record of the same input used. The copy is made for the plain loop too, so both pay it.
 */
const makeInput = (count: number) => {
  const perCycle = Math.min(count, distinct)
  const cycles = Math.floor(count / perCycle)
  if (cycles > 99) throw new Error("at most 99 cycles of --distinct records")
  const unique = blocksOf(perCycle, "cpu00")
  const marker = Buffer.from(spacedLines ? `"externalId": "cpu00-` : `"externalId":"cpu00-`)
  // Where the cycle's two digits go in each block.
  const digits = unique.map((block) => {
    const offsets: Array<number> = []
    for (let at = block.indexOf(marker); at !== -1; at = block.indexOf(marker, at + marker.length)) {
      offsets.push(at + marker.length - 3)
    }
    return offsets
  })
  const rest = count % perCycle
  const tail = rest > 0 ? blocksOf(rest, "cpuzz") : []
  const bytes = unique.reduce((total, block) => total + block.length, 0) * cycles +
    tail.reduce((total, block) => total + block.length, 0)
  function* blocks(limit = Number.POSITIVE_INFINITY): Generator<Buffer> {
    let given = 0
    for (let cycle = 0; cycle < cycles; cycle++) {
      const tens = 48 + Math.floor(cycle / 10)
      const ones = 48 + (cycle % 10)
      for (let index = 0; index < unique.length; index++) {
        if (given++ >= limit) return
        const original = unique[index] ?? Buffer.alloc(0)
        const block = Buffer.allocUnsafe(original.length)
        original.copy(block)
        for (const offset of digits[index] ?? []) {
          block[offset] = tens
          block[offset + 1] = ones
        }
        yield block
      }
    }
    for (const block of tail) {
      if (given++ >= limit) return
      yield block
    }
  }
  return { blocks, bytes, blockCount: unique.length * cycles + tail.length }
}

const blocksOf = (count: number, run: string): Array<Buffer> => {
  const blocks: Array<Buffer> = []
  let text = ""
  for (let index = 0; index < count; index++) {
    text += `${lineOf(mixedConversation(run, index, customers[index % customers.length] ?? "", invalidEvery))}\n`
    if (text.length >= blockBytes) {
      blocks.push(Buffer.from(text, "utf8"))
      text = ""
    }
  }
  if (text.length > 0) blocks.push(Buffer.from(text, "utf8"))
  return blocks
}

/** The reference: decode each block, split it into lines, parse and re-serialise each line. */
const plainLoop = (blocks: Iterable<Buffer>) => {
  let lines = 0
  let bytes = 0
  for (const block of blocks) {
    for (const line of block.toString("utf8").split("\n")) {
      if (line.length === 0) continue
      bytes += JSON.stringify(JSON.parse(line)).length
      lines++
    }
  }
  return { lines, bytes }
}

/**
 * The pipeline's stages, through the dry run; counts what it planned. The blocks arrive one per stream chunk, as a
 * file's do: `Stream.fromIterable` would gather up to 4,096 of them into its first chunk, the whole input here.
 */
const pipeline = (blocks: IterableIterator<Buffer>) =>
  Effect.runPromise(
    BulkImport.plan(ImportSource.jsonLines(Stream.fromIteratorSucceed(blocks, 1))).pipe(
      Stream.runFold({ chunks: 0, items: 0, bytes: 0, rejected: 0 }, (totals, event) =>
        event._tag === "ChunkPlanned"
          ? {
            ...totals,
            chunks: totals.chunks + 1,
            items: totals.items + event.items,
            bytes: totals.bytes + event.bytes
          }
          : { ...totals, rejected: totals.rejected + 1 })
    )
  )

/**
 * Wall time and the process's CPU time (user + system, every thread: garbage collection included). On a shared
 * machine a neighbour's burst stretches the wall time of whichever side it hits; the CPU time moves much less.
 */
const timed = async <A>(body: () => A | Promise<A>) => {
  const start = performance.now()
  const cpuStart = process.cpuUsage()
  const result = await body()
  const cpu = process.cpuUsage(cpuStart)
  return { seconds: (performance.now() - start) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6, result }
}

const median = (values: ReadonlyArray<number>) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? 0
}

const main = async () => {
  const loadBefore = machine().loadAverage
  const input = makeInput(records)
  const inputBytes = input.bytes
  // Warm-up: let both reach optimised code on a slice of the input.
  const warm = Math.max(1, Math.ceil(input.blockCount / 20))
  plainLoop(input.blocks(warm))
  await pipeline(input.blocks(warm))
  // Rounds of (plain loop, pipeline), each pair measured back to back; the figure is the median ratio, which a
  // neighbour's burst of CPU use on a shared machine moves less than any single pair.
  const pairs: Array<
    { plainSeconds: number; pipelineSeconds: number; ratio: number; cpuRatio: number }
  > = []
  let planned: Awaited<ReturnType<typeof pipeline>> | undefined
  let lines = 0
  for (let round = 0; round < rounds; round++) {
    const plain = await timed(() => plainLoop(input.blocks()))
    const run = await timed(() => pipeline(input.blocks()))
    lines = plain.result.lines
    planned = run.result
    pairs.push({
      plainSeconds: plain.seconds,
      pipelineSeconds: run.seconds,
      ratio: run.seconds / plain.seconds,
      cpuRatio: run.cpuSeconds / plain.cpuSeconds
    })
  }
  if (planned === undefined || planned.items + planned.rejected !== records || lines !== records) {
    throw new Error(`records lost: ${JSON.stringify(planned)}, ${lines} lines`)
  }
  // Only the records made invalid on purpose are rejected (not, say, repeats of an externalId).
  const invalidIn = (count: number) => invalidEvery > 0 ? Math.floor(count / invalidEvery) : 0
  const perCycle = Math.min(records, distinct)
  const expectedRejected = invalidIn(perCycle) * Math.floor(records / perCycle) + invalidIn(records % perCycle)
  if (planned.rejected !== expectedRejected) {
    throw new Error(`${planned.rejected} records rejected, ${expectedRejected} expected`)
  }
  const pipelineSeconds = median(pairs.map((pair) => pair.pipelineSeconds))
  const plainSeconds = median(pairs.map((pair) => pair.plainSeconds))
  const report = {
    benchmark: "cpu",
    description: "decode, validate, correlate, encode and chunk JSON Lines in process (BulkImport.plan) versus a " +
      "plain JSON.parse + JSON.stringify loop over the same lines",
    command: commandLine("cpu"),
    machine: machine(),
    input: {
      records,
      distinct,
      invalidEvery,
      blockBytes,
      spaced: spacedLines,
      bytes: inputBytes,
      meanRecordBytes: round(inputBytes / records, 0)
    },
    rounds: pairs.map((pair) => ({
      plainSeconds: round(pair.plainSeconds, 3),
      pipelineSeconds: round(pair.pipelineSeconds, 3),
      ratio: round(pair.ratio, 2),
      cpuRatio: round(pair.cpuRatio, 2)
    })),
    plainLoop: { seconds: round(plainSeconds, 3), recordsPerSecond: Math.round(records / plainSeconds) },
    pipeline: {
      seconds: round(pipelineSeconds, 3),
      recordsPerSecond: Math.round(records / pipelineSeconds),
      megabytesPerSecond: round(inputBytes / 2 ** 20 / pipelineSeconds, 1),
      ...planned
    },
    ratio: round(median(pairs.map((pair) => pair.ratio)), 2),
    cpuRatio: round(median(pairs.map((pair) => pair.cpuRatio)), 2),
    target: "ratio ≤ 1.5",
    loadAverage: { before: loadBefore, after: machine().loadAverage }
  }
  console.log(
    `pipeline ${report.pipeline.recordsPerSecond} records/s, plain loop ${report.plainLoop.recordsPerSecond} ` +
      `records/s: ratio ${report.ratio} (median of ${rounds}: ${
        report.rounds.map((pair) => pair.ratio).join(", ")
      }); ` +
      `CPU time ratio ${report.cpuRatio} (${report.rounds.map((pair) => pair.cpuRatio).join(", ")})`
  )
  writeReport("cpu", report)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
