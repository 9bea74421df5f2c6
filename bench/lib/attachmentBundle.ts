/**
 * The files of the attachments benchmark and a migration bundle that references them by `path`: conversations of two
 * messages with a file each and a note with two. The bytes are slices of one random block, so writing 1.6 GB costs
 * only the disk's time.
 */
import { randomBytes } from "node:crypto"
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs"
import { join } from "node:path"

/** Writes `size` bytes (slices of one random block, each file from its own offset) without holding a file. */
const pool = randomBytes(1 << 20)
const writeFile = (path: string, size: number, index: number) => {
  const fd = openSync(path, "w")
  try {
    let written = 0
    let offset = (index * 7_919) % pool.length
    while (written < size) {
      const length = Math.min(size - written, pool.length - offset)
      writeSync(fd, pool, offset, length)
      written += length
      offset = 0
    }
  } finally {
    closeSync(fd)
  }
}

/** A bundle written, and what its files came to. */
export interface Bundle {
  readonly path: string
  readonly files: number
  readonly bytes: number
  readonly sizes: { readonly min: number; readonly median: number; readonly max: number }
  readonly conversations: number
}

/** The files (under `dir/files`) and a bundle referencing them by `path`: 4 files per conversation. */
export const writeBundle = (dir: string, run: string, sizeOf: (index: number) => number, count: number): Bundle => {
  mkdirSync(join(dir, "files"), { recursive: true })
  const sizes = Array.from({ length: count }, (_, index) => sizeOf(index))
  sizes.forEach((size, index) => writeFile(join(dir, "files", `file-${index}.bin`), size, index))
  const conversations = Math.ceil(count / 4)
  const fileRef = (index: number) =>
    index < count
      ? [{
        externalId: `${run}-att-${index}`,
        name: `file-${index}.bin`,
        contentType: index % 3 === 0 ? "image/png" : "application/pdf",
        size: sizes[index],
        path: `files/file-${index}.bin`
      }]
      : []
  const lines = Array.from({ length: conversations }, (_, index) => {
    const first = index * 4
    return JSON.stringify({
      externalId: `${run}-c${index}`,
      name: `Ticket ${index} with files`,
      status: "done",
      customer: { externalId: `${run}-u${index % 100}`, name: `Customer ${index % 100}` },
      messages: [0, 1].map((turn) => ({
        externalId: `${run}-c${index}-m${turn}`,
        direction: turn === 0 ? "in" : "out",
        channel: "email",
        app: "postmark",
        preview: `Message ${turn} of ticket ${index}: the files are attached.`,
        attachments: fileRef(first + turn)
      })),
      notes: [{
        externalId: `${run}-c${index}-n`,
        body: `Files of ticket ${index} checked.`,
        attachments: [...fileRef(first + 2), ...fileRef(first + 3)]
      }]
    })
  })
  const path = join(dir, "bundle.jsonl")
  const text = lines.join("\n") + "\n"
  const fd = openSync(path, "w")
  writeSync(fd, text)
  closeSync(fd)
  const sorted = [...sizes].sort((a, b) => a - b)
  return {
    path,
    files: count,
    bytes: sizes.reduce((sum, size) => sum + size, 0),
    sizes: { min: sorted[0] ?? 0, median: sorted[Math.floor(sorted.length / 2)] ?? 0, max: sorted.at(-1) ?? 0 },
    conversations
  }
}
