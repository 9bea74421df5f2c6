/**
 * Attachments of one simulated org: documents created by `POST /v1/attachments`, their presigned upload fields
 * (signed with an HMAC of the simulator's secret, so a changed field is detected), what was uploaded (the bytes'
 * SHA-256 and size, not the bytes), and which messages and notes reference each one.
 */
import * as Either from "effect/Either"
import * as Predicate from "effect/Predicate"
import { Buffer } from "node:buffer"
import { createHmac } from "node:crypto"
import type { AttachmentStats, StoredAttachment } from "../Inspection.js"
import type { IdKind } from "./ids.js"
import { isoString } from "./time.js"

/** How long an upload's policy stays valid after the document is created (S3 presigned posts expire). */
export const uploadValidityMillis = 60 * 60 * 1000

/** One attachment document. */
export interface AttachmentRecord {
  readonly id: string
  readonly name: string
  readonly contentType: string
  readonly contentLength: number
  /** The presigned POST's form fields, exactly as handed out. */
  readonly fields: Readonly<Record<string, string>>
  readonly createdAtMillis: number
  readonly expiresAtMillis: number
  uploaded: { readonly sha256: string; readonly size: number } | undefined
  /** Ids of the messages and notes that reference it, in the order they were stored. */
  readonly referencedBy: Array<string>
}

/** What `POST /v1/attachments` asks for. */
export interface AttachmentRequest {
  readonly name: string
  readonly contentType: string
  readonly contentLength: number
}

/** Every attachment of the org. */
export class AttachmentBook {
  readonly byId = new Map<string, AttachmentRecord>()
  uploadRequests = 0
  uploadsRefused = 0
  uploadFaults = 0

  constructor(
    private readonly secret: string,
    private readonly newId: (kind: IdKind, nowMillis: number) => string
  ) {}

  /** The signature of an upload's key, policy and content type for one document. */
  signature(id: string, key: string, policy: string, contentType: string): string {
    return createHmac("sha256", this.secret).update([id, key, policy, contentType].join("\n")).digest("hex")
  }

  /** Stores a pending document and its upload fields. */
  create(request: AttachmentRequest, nowMillis: number): AttachmentRecord {
    const id = this.newId("attachment", nowMillis)
    const expiresAtMillis = nowMillis + uploadValidityMillis
    const key = `attachments/${id}`
    const policy = Buffer.from(JSON.stringify({
      expiration: isoString(expiresAtMillis),
      conditions: [
        { key },
        ["content-length-range", request.contentLength, request.contentLength],
        { "Content-Type": request.contentType }
      ]
    })).toString("base64")
    const record: AttachmentRecord = {
      ...request,
      id,
      fields: {
        key,
        policy,
        signature: this.signature(id, key, policy, request.contentType),
        "Content-Type": request.contentType
      },
      createdAtMillis: nowMillis,
      expiresAtMillis,
      uploaded: undefined,
      referencedBy: []
    }
    this.byId.set(id, record)
    return record
  }

  /** Why a message's or note's `attachments` cannot be stored, or `undefined` when every entry is uploaded. */
  referenceProblem(attachments: unknown): string | undefined {
    if (!Array.isArray(attachments)) return undefined
    for (const [index, entry] of attachments.entries()) {
      const reference: unknown = Predicate.isRecord(entry) ? entry["_id"] : entry
      if (typeof reference !== "string") return `attachments.${index}: no attachment id`
      const record = this.byId.get(reference)
      if (record === undefined) return `attachments.${index}: attachment ${reference} not found`
      if (record.uploaded === undefined) return `attachments.${index}: attachment ${reference} was never uploaded`
      const declared: unknown = Predicate.isRecord(entry) ? entry["contentLength"] : undefined
      if (declared !== undefined && declared !== record.uploaded.size) {
        return `attachments.${index}: contentLength ${String(declared)} does not match the ${record.uploaded.size} ` +
          `bytes uploaded for attachment ${reference}`
      }
    }
    return undefined
  }

  /** Records that a stored object references its `attachments` (checked by {@link referenceProblem}). */
  reference(objectId: string, attachments: unknown): void {
    if (!Array.isArray(attachments)) return
    for (const entry of attachments) {
      const reference: unknown = Predicate.isRecord(entry) ? entry["_id"] : entry
      const record = typeof reference === "string" ? this.byId.get(reference) : undefined
      if (record !== undefined && !record.referencedBy.includes(objectId)) record.referencedBy.push(objectId)
    }
  }

  /** Marks a document uploaded with a file of this size and SHA-256; a second upload replaces the first. */
  markUploaded(record: AttachmentRecord, file: { readonly sha256: string; readonly size: number }): void {
    record.uploaded = { sha256: file.sha256, size: file.size }
  }

  stats(): AttachmentStats {
    let uploaded = 0
    let bytes = 0
    let referenced = 0
    let referencedTwice = 0
    for (const record of this.byId.values()) {
      if (record.uploaded !== undefined) {
        uploaded += 1
        bytes += record.uploaded.size
      }
      if (record.referencedBy.length > 0) referenced += 1
      if (record.referencedBy.length > 1) referencedTwice += 1
    }
    return {
      created: this.byId.size,
      uploaded,
      bytes,
      referenced,
      referencedTwice,
      uploadRequests: this.uploadRequests,
      uploadsRefused: this.uploadsRefused,
      uploadFaults: this.uploadFaults
    }
  }

  inspect(): ReadonlyArray<StoredAttachment> {
    return Array.from(this.byId.values(), (record) => ({
      id: record.id,
      name: record.name,
      contentType: record.contentType,
      contentLength: record.contentLength,
      size: record.uploaded?.size,
      sha256: record.uploaded?.sha256,
      uploaded: record.uploaded !== undefined,
      referencedBy: [...record.referencedBy]
    }))
  }
}

/** Reads the form fields of an upload against the document's: the first problem as `[status, code, message]`. */
export const fieldsProblem = (
  book: AttachmentBook,
  record: AttachmentRecord,
  form: ReadonlyMap<string, string>
): Either.Either<void, readonly [status: number, code: string, message: string]> => {
  for (const [name, value] of Object.entries(record.fields)) {
    const sent = form.get(name)
    if (sent === undefined) {
      return Either.left([400, "InvalidArgument", `Bucket POST must contain a field named '${name}'.`])
    }
    if (sent !== value) {
      return Either.left([403, "SignatureDoesNotMatch", `The field '${name}' does not match the signed policy.`])
    }
  }
  const signature = book.signature(
    record.id,
    form.get("key") ?? "",
    form.get("policy") ?? "",
    form.get("Content-Type") ?? ""
  )
  return signature === form.get("signature")
    ? Either.right(undefined)
    : Either.left([403, "SignatureDoesNotMatch", "The request signature we calculated does not match."])
}
