/**
 * The informational parts of a bulk job document: the record of the request that created the job
 * (`payload.api`) and the links of its relationships. Documented and exported by `BulkJob.ts`.
 */
import * as Schema from "effect/Schema"
import { optional } from "./schema.js"

/** The identity behind the request that created a job (`payload.api.user`). */
export const JobRequestUser = Schema.Struct({
  id: optional(Schema.String),
  userType: optional(Schema.String),
  roles: optional(Schema.Array(Schema.String)),
  orgName: optional(Schema.String),
  subject: optional(Schema.String),
  org: optional(Schema.String)
})

/** A record of the API request that created a job (`payload.api`). */
export const JobRequestRecord = Schema.Struct({
  data: optional(
    Schema.Union(Schema.Array(Schema.Unknown), Schema.Record({ key: Schema.String, value: Schema.Unknown }))
  ),
  path: optional(Schema.String),
  user: optional(JobRequestUser),
  requestId: optional(Schema.String),
  service: optional(Schema.String),
  method: optional(Schema.String)
})

/** One relationship of a job (its org, its creator): a link and the related object's type and id. */
export const RelationshipLink = Schema.Struct({
  links: optional(Schema.Struct({ self: optional(Schema.String) })),
  data: optional(Schema.Struct({ type: Schema.String, id: Schema.String }))
})
