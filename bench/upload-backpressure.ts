/**
 * Upload backpressure: one file uploaded with `Attachments.upload` to a storage host that takes the bytes slower
 * than the disk gives them (a receiver on loopback reading `--read-mbps` MB/s), once through each of Node's HTTP
 * clients, each in a process of its own. What it measures is the uploading process's RSS growth: a client that
 * waits for `drain` holds a few chunks whatever the file's size; one that does not holds whatever the receiver has
 * not taken yet, up to the whole file.
 *
 *   pnpm bench upload-backpressure [--mb 192] [--read-mbps 8]
 */
import { rmSync, writeFileSync } from "node:fs"
import * as Http from "node:http"
import { join } from "node:path"
import { numberFlag } from "./lib/args.js"
import { lastJsonLine, runTypeScript } from "./lib/processes.js"
import { commandLine, machine, root, writeReport } from "./lib/report.js"

const megabytes = numberFlag("mb", 192)
const readMbps = numberFlag("read-mbps", 8)
const file = join(root, "bench/results/tmp/upload-backpressure.bin")

writeFileSync(file, Buffer.alloc(megabytes * 1_000_000, 7))
// The storage host: reads a chunk, then pauses as long as `readMbps` allows for it; answers 204 at the end.
const server = Http.createServer((request, response) => {
  request.on("data", (chunk: Buffer) => {
    request.pause()
    setTimeout(() => request.resume(), Math.ceil(chunk.length / (readMbps * 1_000)))
  })
  request.on("end", () => {
    response.statusCode = 204
    response.end()
  })
})
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
const address = server.address()
const url = `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}/upload`

const runs: Array<Record<string, unknown>> = []
try {
  for (const client of ["node", "undici"]) {
    const result = await runTypeScript(
      "bench/lib/uploadOnce.ts",
      ["--client", client, "--file", file, "--url", url],
      {},
      30 * 60_000
    )
    const figures = lastJsonLine(result.stdout)
    if (result.code !== 0 || figures === undefined) {
      throw new Error(`the ${client} upload failed (exit ${result.code}):\n${result.stderr.slice(-4_000)}`)
    }
    const timeV = result.maxRssKb === undefined ? undefined : Math.round(result.maxRssKb / 100) / 10
    runs.push({ ...figures, peakRssTimeVMb: timeV })
    console.log(`${client}: RSS ${figures["rssBeforeMb"]} → ${figures["peakRssMb"]} MB, ${figures["seconds"]} s`)
  }
} finally {
  server.close()
  rmSync(file, { force: true })
}
writeReport("upload-backpressure", {
  benchmark: "upload-backpressure",
  description: "one file uploaded with Attachments.upload to a receiver slower than the disk, through node:http " +
    "(NodeHttpClient.layer) and undici (NodeHttpClient.layerUndici, the CLI's)",
  command: commandLine("upload-backpressure"),
  machine: machine(),
  settings: { megabytes, readMbps },
  runs
})
