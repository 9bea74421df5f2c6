/**
 * `pnpm bench <name> [flags]`: runs one benchmark script. Each writes its figures to `bench/results/<name>.json`
 * (or to `--out <file>`); `docs/benchmarks.md` describes them.
 */
const benchmarks: Record<string, { readonly file: string; readonly about: string }> = {
  ceiling: { file: "./ceiling.js", about: "records/s against a 300/10 s rate limit, as a share of the ceiling" },
  budget: { file: "./budget.js", about: "requests spent per 100 records created, healthy and under seeded faults" },
  cpu: { file: "./cpu.js", about: "in-process validate/encode/chunk records/s versus a JSON.parse+stringify loop" },
  memory: { file: "./memory.js", about: "peak RSS of the CLI importing 1,000,000 versus 100,000 records" },
  "side-by-side": {
    file: "./side-by-side.js",
    about: "a naive importer versus kustomer-bulk import, same simulator and faults"
  },
  "simulator-throughput": { file: "./simulator-throughput.js", about: "bulk POSTs/s the standalone simulator accepts" },
  "journal-overhead": { file: "./journal-overhead.js", about: "what the SQLite journal costs an import" },
  "input-check": {
    file: "./input-check.js",
    about: "the structure check before the first request on 200,000 records, against a read and an import"
  },
  migration: {
    file: "./migration.js",
    about: "kustomer-bulk migrate on a 72,000-object bundle: requests per 100 objects, share of the ceiling, memory"
  },
  overlap: {
    file: "./overlap.js",
    about: "kustomer-bulk migrate of 62,400 objects, phases overlapped vs one after another: share of the ideal time"
  },
  attachments: {
    file: "./attachments.js",
    about: "kustomer-bulk migrate carrying 2,000 files of 10 kB–5 MB: documents vs the budget, uploads, peak RSS"
  },
  "upload-backpressure": {
    file: "./upload-backpressure.js",
    about: "RSS of one 192 MB upload to a slow receiver, through node:http and through undici (the CLI's)"
  },
  "crash-resume": { file: "./crash-resume.js", about: "a durable import killed with SIGKILL many times, then checked" },
  startup: { file: "./startup.js", about: "kustomer-bulk --help and --version against node -e 0, medians of 21 starts" }
}

const name = process.argv[2]
const benchmark = name === undefined ? undefined : benchmarks[name]
if (benchmark === undefined) {
  console.error(
    `usage: pnpm bench <name> [flags]\n\n${
      Object.entries(benchmarks).map(([key, value]) => `  ${key.padEnd(22)}${value.about}`).join("\n")
    }`
  )
  process.exitCode = name === undefined || name === "--help" ? 0 : 1
} else {
  await import(benchmark.file)
}
