/**
 * `POST /v1/attachments` of `KustomerClient`: creates an attachment document and returns where its bytes go.
 * Built from the request runner.
 */
import { Attachment } from "@effect-kustomer/domain"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { InvalidRequest } from "../KustomerError.js"
import { fail, type Run } from "./request.js"

/** A created attachment document (see `KustomerClient.CreatedAttachment`). */
export interface CreatedAttachment {
  readonly id: string
  readonly upload: Attachment.Upload
}

const decodeAttachmentDocument = Schema.decodeUnknownEither(Attachment.AttachmentDocument)

const encodeAttachmentCreate = Schema.encodeEither(Attachment.AttachmentCreate)

/** The endpoint over one request runner; a body that fails `Attachment.AttachmentCreate` is refused unsent. */
export const createAttachmentWith = (run: Run) => (attachment: Attachment.AttachmentCreate) => {
  const method = "createAttachment"
  return Either.match(encodeAttachmentCreate(attachment), {
    onLeft: (error) =>
      Effect.fail(
        fail(method, new InvalidRequest({ status: 0, detail: `not sent: ${error.message.split("\n")[0]}` }))
      ),
    onRight: (body) =>
      run({
        method,
        request: HttpClientRequest.post(Attachment.createPath).pipe(
          HttpClientRequest.bodyText(JSON.stringify(body), "application/json")
        ),
        requiredRoles: Attachment.createRoles,
        decode: (raw) =>
          Either.map(
            decodeAttachmentDocument(raw),
            (document): CreatedAttachment => ({ id: document.data.id, upload: document.meta.upload })
          )
      })
  }).pipe(
    Effect.withSpan("KustomerClient.createAttachment", {
      attributes: { "kustomer.attachment": attachment.name, "kustomer.bytes": attachment.contentLength }
    })
  )
}
