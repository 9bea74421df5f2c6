/**
 * The CLI's HTTP client: Node's, through undici. Undici writes a streamed request body as its receiver takes it
 * (it waits for `drain`), so an attachment's upload holds a few chunks in memory whatever the file's size. The
 * `node:http` client of `NodeHttpClient.layer` writes each chunk of a stream body without waiting, so a file read
 * faster than the storage host takes it queues in the request's buffer, up to all of it (`pnpm bench
 * upload-backpressure`: 192 MB sent to a receiver reading 8 MB/s, +185 MB of RSS through `node:http`, +72 MB through
 * undici, about what it takes for 48 MB: +65 MB).
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Layer from "effect/Layer"

/** The HTTP client of every command: undici, with its own connection pool for the process's life. */
export const layer: Layer.Layer<HttpClient.HttpClient> = NodeHttpClient.layerUndici
