/**
 * Network latency on loopback: an HTTP proxy that holds every request and every response back, so that a whole
 * exchange takes `minMs`–`maxMs` longer (uniform, seeded), half on the way in and half on the way out — the
 * round trip of a client far from the API. The simulator has no per-request latency of its own (its slow-response
 * fault is an outlier, not a baseline).
 *
 * It also counts the requests it forwards in each rate-limit window, aligned as the simulator aligns them (to
 * multiples of the window since the epoch), which shows how much of each window's budget was used.
 */
import { Prng } from "@effect-kustomer/simulator"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"

/** A running proxy. */
export interface LatencyProxy {
  readonly url: string
  /** Requests forwarded per aligned window start (epoch milliseconds). */
  readonly requestsByWindow: ReadonlyMap<number, number>
  /** Reads of a job's batches: all of them, and those that found the job unfinished (spent for nothing). */
  readonly batchReads: { total: number; unfinished: number; unfinishedAtMs: Array<number> }
  /**
   * Every accepted bulk submission and every batch read, in the order their answers left: when (epoch
   * milliseconds), the job, for a read the batches' statuses (`queued`, `scheduled`, `complete`), and the answer's
   * `x-ratelimit-remaining` and `x-ratelimit-reset` (epoch seconds), which show an answer of a window that arrives
   * after the window ended.
   */
  readonly trace: Array<TraceEntry>
  readonly stop: () => Promise<void>
}

/** A submission the API accepted, or a read of a job's batches. */
export interface TraceEntry {
  readonly at: number
  readonly kind: "submit" | "read"
  readonly job: string
  readonly statuses?: ReadonlyArray<string> | undefined
  readonly remaining?: number | undefined
  readonly reset?: number | undefined
}

/** A numeric header of an answer, if it has one. */
const numberHeader = (headers: Http.IncomingHttpHeaders, name: string): number | undefined => {
  const value = headers[name]
  return typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value)) ? Number(value) : undefined
}

/** A seeded PRNG, so the latencies repeat from run to run. */
const prng = (seed: number) => Prng.make(seed)

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Starts a proxy to `target` on a free loopback port. */
export const startLatencyProxy = (options: {
  readonly target: string
  readonly minMs: number
  readonly maxMs: number
  readonly windowMs: number
  readonly seed?: number
}): Promise<LatencyProxy> => {
  const target = new URL(options.target)
  const random = prng(options.seed ?? 1)
  const agent = new Http.Agent({ keepAlive: true, maxSockets: 256 })
  const requestsByWindow = new Map<number, number>()
  const batchReads = { total: 0, unfinished: 0, unfinishedAtMs: [] as Array<number> }
  const trace: Array<TraceEntry> = []
  const server = Http.createServer((req, res) => {
    const latency = options.minMs + random() * (options.maxMs - options.minMs)
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", async () => {
      await sleep(latency / 2)
      if (!(req.url ?? "").startsWith("/__admin")) {
        const window = Math.floor(Date.now() / options.windowMs) * options.windowMs
        requestsByWindow.set(window, (requestsByWindow.get(window) ?? 0) + 1)
      }
      const body = Buffer.concat(chunks)
      const headers = { ...req.headers, host: target.host }
      const upstream = Http.request({
        agent,
        hostname: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers
      }, (response) => {
        const parts: Array<Buffer> = []
        response.on("data", (chunk: Buffer) => parts.push(chunk))
        response.on("end", async () => {
          await sleep(latency / 2)
          const payload = Buffer.concat(parts)
          const text = payload.toString("utf8")
          const read = /^\/v1\/bulk\/([^/]+)\/batches$/.exec(req.url ?? "")
          const rate = {
            remaining: numberHeader(response.headers, "x-ratelimit-remaining"),
            reset: numberHeader(response.headers, "x-ratelimit-reset")
          }
          if (response.statusCode === 201 && req.method === "POST" && /\/bulk$/.test(req.url ?? "")) {
            const job = /"id":"([^"]+)"/.exec(text)?.[1]
            if (job !== undefined) trace.push({ at: Date.now(), kind: "submit", job, ...rate })
          }
          if (response.statusCode === 200 && read !== null) {
            const statuses = [...text.matchAll(/"status":"(queued|scheduled|complete)"/g)].map((match) =>
              match[1] ?? ""
            )
            trace.push({ at: Date.now(), kind: "read", job: read[1] ?? "", statuses, ...rate })
            batchReads.total++
            if (/"status":"(queued|scheduled)"/.test(text)) {
              batchReads.unfinished++
              batchReads.unfinishedAtMs.push(Date.now())
            }
          }
          const { connection: _connection, "keep-alive": _keepAlive, "transfer-encoding": _te, ...rest } =
            response.headers
          res.writeHead(response.statusCode ?? 502, { ...rest, "content-length": payload.length })
          res.end(payload)
        })
        // The server dropped the connection mid-response: drop the client's too, as a reset does.
        response.on("error", () => req.socket.destroy())
      })
      // A connection reset by the simulator reaches the client as a reset, not as an answer.
      upstream.on("error", () => {
        setTimeout(() => req.socket.destroy(), latency / 2)
      })
      upstream.end(body)
    })
  })
  server.keepAliveTimeout = 60_000
  return new Promise((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      resolve({
        url: `http://127.0.0.1:${port}`,
        requestsByWindow,
        batchReads,
        trace,
        stop: () =>
          new Promise<void>((done) => {
            agent.destroy()
            server.closeAllConnections()
            server.close(() => done())
          })
      })
    })
  })
}
