/**
 * The look-ups of `KustomerClient`: one existing object read by its id or by a key (an external id, an e-mail
 * address), `None` when there is none. Built from the request runner.
 */
import { BulkResource, ObjectDocument } from "@effect-kustomer/domain"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Arr from "effect/Array"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { InvalidRequest } from "../KustomerError.js"
import { fail, type Run } from "./request.js"

/** An object that already exists (see `KustomerClient.ExistingObject`). */
export const ExistingObject = Schema.Struct({
  type: Schema.String,
  id: Schema.String,
  attributes: Schema.optionalWith(
    Schema.Struct({ externalId: Schema.optionalWith(Schema.NullOr(Schema.String), { exact: true }) }),
    { exact: true }
  )
})
export type ExistingObject = typeof ExistingObject.Type

/**
 * A look-up's answer: one object, as Kustomer's single-object reads give it, or a list of them, as the look-ups
 * spelt as a query parameter give it (`GET /v1/companies?externalId=…`; tolerated for the look-ups by e-mail too,
 * since no document rules it out). An empty list is `None`.
 */
const ExistingObjectDocument = Schema.Struct({
  data: Schema.Union(ExistingObject, Schema.Array(ExistingObject))
})

const decodeExisting = Schema.decodeUnknownEither(ExistingObjectDocument)

const decodeObject = Schema.decodeUnknownEither(ObjectDocument.ObjectDocument)

/** A resource whose objects can be read by id (see `KustomerClient.Readable`). */
export interface Readable {
  readonly name: string
  readonly objectPath: (id: string) => string
  readonly readRoles: readonly [permission: string, legacy: string]
}

/** The look-ups over one request runner. */
export const lookups = (run: Run) => {
  /**
   * One object read by a key: the answer's object, or the first of a list answer that `matches`; `None` on a 404
   * or an empty list.
   */
  const findOne = (
    method: string,
    path: string,
    requiredRoles: readonly [string, string],
    matches: (object: ExistingObject) => boolean = () => true
  ) =>
    run<Option.Option<ExistingObject>>({
      method,
      request: HttpClientRequest.get(path),
      requiredRoles,
      decode: (body) =>
        Either.map(
          decodeExisting(body),
          (document) =>
            Array.isArray(document.data)
              ? Arr.findFirst(document.data, (object) => matches(object))
              : Option.some(document.data)
        ),
      onStatus: (status) => (status === 404 ? Option.some(Option.none()) : Option.none())
    })

  /**
   * Whether a listed object answered for a look-up of `externalId` is one: not when it names another external id
   * (or none), since a listing that ignored its query parameter (Kustomer ignores `externalId` when `filter` is
   * given too) would answer other objects; an object that does not show its external id is taken at the API's word.
   */
  const hasExternalId = (externalId: string) => (object: ExistingObject) => {
    const shown = object.attributes?.externalId
    return shown === undefined || shown === externalId
  }

  const findByExternalId = <Item extends BulkResource.BulkItemBase, Encoded extends BulkResource.BulkItemBase>(
    resource: BulkResource.BulkResource<Item, Encoded>,
    externalId: string
  ) =>
    (resource.externalIdPath === undefined
      ? Effect.fail(
        fail(
          "findByExternalId",
          new InvalidRequest({ status: 0, detail: `Kustomer has no look-up of ${resource.name} by externalId` })
        )
      )
      : findOne("findByExternalId", resource.externalIdPath(externalId), resource.readRoles, hasExternalId(externalId)))
      .pipe(
        Effect.withSpan("KustomerClient.findByExternalId", { attributes: { "kustomer.resource": resource.name } })
      )

  const findCustomerByEmail = (email: string) =>
    findOne(
      "findCustomerByEmail",
      `/v1/customers/email=${encodeURIComponent(email)}`,
      BulkResource.Customers.readRoles
    ).pipe(Effect.withSpan("KustomerClient.findCustomerByEmail"))

  /** `GET {objectPath(id)}`: the object with every attribute, `None` on a 404; an empty id is refused unsent. */
  const getById = (resource: Readable, id: string) =>
    (id.length === 0
      ? Effect.fail(fail("getById", new InvalidRequest({ status: 0, detail: "not sent: the id is empty" })))
      : run<Option.Option<ObjectDocument.ObjectResource>>({
        method: "getById",
        request: HttpClientRequest.get(resource.objectPath(id)),
        requiredRoles: resource.readRoles,
        decode: (body) => Either.map(decodeObject(body), (document) => Option.some(document.data)),
        onStatus: (status) => (status === 404 ? Option.some(Option.none()) : Option.none())
      })).pipe(Effect.withSpan("KustomerClient.getById", { attributes: { "kustomer.resource": resource.name } }))

  return { findByExternalId, findCustomerByEmail, getById }
}
