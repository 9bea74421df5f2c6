/**
 * The child of `pnpm bench upload-backpressure`: uploads one file with `Attachments.upload` through the HTTP client
 * named by `--client` (`node`: `NodeHttpClient.layer`, over `node:http`; `undici`: `NodeHttpClient.layerUndici`, the
 * CLI's) to `--url`, sampling its own RSS every 50 ms; prints one JSON line: RSS before, peak, seconds.
 */
import { Attachments } from "@effect-kustomer/client"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Effect from "effect/Effect"
import { performance } from "node:perf_hooks"
import { stringFlag } from "./args.js"

const client = stringFlag("client", "undici")
const file = stringFlag("file", "")
const url = stringFlag("url", "")

const megabytes = (bytes: number) => Math.round(bytes / 1e5) / 10
const before = process.memoryUsage().rss
let peak = before
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss)
}, 50)
const started = performance.now()
await Effect.runPromise(
  Effect.gen(function*() {
    const source = yield* Attachments.fileSource(file, { name: "big.bin", contentType: "application/octet-stream" })
    yield* Attachments.upload({ url, fields: { key: "attachments/bench" } }, source)
  }).pipe(
    Effect.provide(NodeContext.layer),
    Effect.provide(client === "node" ? NodeHttpClient.layer : NodeHttpClient.layerUndici)
  )
)
clearInterval(sampler)
peak = Math.max(peak, process.memoryUsage().rss)
console.log(JSON.stringify({
  client,
  rssBeforeMb: megabytes(before),
  peakRssMb: megabytes(peak),
  growthMb: megabytes(peak - before),
  seconds: Math.round((performance.now() - started) / 100) / 10
}))
