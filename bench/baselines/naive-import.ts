/**
 * A naive bulk importer, written the way such one-off scripts usually are — kept as the baseline that
 * `pnpm bench side-by-side` measures this repository's importer against. Do not use it for real imports.
 *
 *   KUSTOMER_API_KEY=... KUSTOMER_BASE_URL=http://127.0.0.1:4010 tsx bench/baselines/naive-import.ts data.jsonl
 *
 * It reads the whole file, slices it by 100, POSTs each slice with `fetch` (three attempts, a second apart, whatever
 * the error), then polls each job every second until it is complete, and counts a completed job's records as
 * imported. No rate-limit handling, no per-item results. Prints what it believes as JSON on its last line.
 */
import { readFileSync } from "node:fs"

const file = process.argv[2]
const baseUrl = process.env["KUSTOMER_BASE_URL"] ?? "http://127.0.0.1:4010"
const apiKey = process.env["KUSTOMER_API_KEY"] ?? ""
if (file === undefined) {
  console.error("usage: naive-import.ts <file.jsonl>")
  process.exit(2)
}

const headers = { authorization: `Bearer ${apiKey}`, "content-type": "application/json" }
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

let requests = 0
let failedAttempts = 0

const postSlice = async (slice: Array<unknown>): Promise<string | undefined> => {
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      requests++
      const response = await fetch(`${baseUrl}/v1/conversations/bulk`, {
        method: "POST",
        headers,
        body: JSON.stringify(slice)
      })
      if (response.ok) {
        const job = (await response.json()) as { data: { id: string } }
        return job.data.id
      }
      console.error(`POST failed with ${response.status} (attempt ${attempt})`)
    } catch (error) {
      console.error(`POST failed: ${String(error)} (attempt ${attempt})`)
    }
    failedAttempts++
    await sleep(1000)
  }
  return undefined
}

const waitForJob = async (id: string) => {
  while (true) {
    try {
      requests++
      const response = await fetch(`${baseUrl}/v1/bulk/${id}`, { headers })
      if (response.ok) {
        const job = (await response.json()) as { data: { attributes: { completed?: boolean } } }
        if (job.data.attributes.completed === true) return
      }
    } catch (error) {
      console.error(`poll failed: ${String(error)}`)
    }
    await sleep(1000)
  }
}

const main = async () => {
  const started = Date.now()
  const records = readFileSync(file, "utf8").split("\n").filter((line) => line.trim() !== "").map((line) =>
    JSON.parse(line)
  )
  const jobs: Array<{ id: string; count: number }> = []
  let failed = 0
  for (let i = 0; i < records.length; i += 100) {
    const slice = records.slice(i, i + 100)
    const id = await postSlice(slice)
    if (id === undefined) {
      console.error(`giving up on records ${i}–${i + slice.length - 1}`)
      failed += slice.length
    } else {
      jobs.push({ id, count: slice.length })
    }
  }
  let imported = 0
  for (const job of jobs) {
    await waitForJob(job.id)
    imported += job.count
  }
  console.log(`imported ${imported} records, ${failed} failed`)
  console.log(
    JSON.stringify({
      imported,
      failed,
      jobs: jobs.length,
      requests,
      failedAttempts,
      seconds: (Date.now() - started) / 1000
    })
  )
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
