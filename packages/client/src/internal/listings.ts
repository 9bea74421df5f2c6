/**
 * The listings of `KustomerClient`: every object of one parent (a conversation's messages or notes) and every
 * user of the org, following `links.next` page by page. Built from the request runner.
 */
import { type BulkResource, User } from "@effect-kustomer/domain"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { Decode, InvalidRequest, type KustomerError } from "../KustomerError.js"
import { readAllPages } from "./batchPages.js"
import { ExistingObject } from "./lookups.js"
import { fail, type Run } from "./request.js"

/** A page of a listing; a `data` of `null` is an empty page, `links` may be absent or `null`. */
const ListingPage = Schema.Struct({
  data: Schema.NullOr(Schema.Array(ExistingObject)),
  links: Schema.optionalWith(
    Schema.NullOr(Schema.Struct({ next: Schema.optionalWith(Schema.NullOr(Schema.String), { exact: true }) })),
    { exact: true }
  )
})

/** Objects asked for per page of a listing (Kustomer's lists take `pageSize` up to 100). */
const listingPageSize = 100

const decodeListingPage = Schema.decodeUnknownEither(ListingPage)

const decodeUserPage = Schema.decodeUnknownEither(User.UserPage)

/** What a listing may be told: `onPage` runs before each page is requested (to count them). */
type ListOptions = { readonly onPage?: Effect.Effect<void> | undefined }

/** The listings over one request runner. */
export const listings = (options: { readonly run: Run; readonly baseUrl: string; readonly maxPages: number }) => {
  const { baseUrl, maxPages, run } = options

  const listUsers = (listOptions?: ListOptions) =>
    readAllPages({
      baseUrl,
      firstPath: `${User.listPath}?pageSize=${listingPageSize}`,
      maxPages,
      readPage: (pathOrUrl) =>
        Effect.zipRight(
          listOptions?.onPage ?? Effect.void,
          run({
            method: "listUsers",
            request: HttpClientRequest.get(pathOrUrl),
            requiredRoles: User.readRoles,
            decode: (body) => Either.map(decodeUserPage(body), (page) => ({ data: page.data ?? [], links: page.links }))
          })
        ),
      refused: (detail) => fail("listUsers", new Decode({ status: 200, detail, bodyExcerpt: "" }))
    }).pipe(
      Effect.map((all): ReadonlyArray<User.UserSummary> => all.data.map((user) => User.summaryOf(user))),
      Effect.withSpan("KustomerClient.listUsers")
    )

  const listChildren = <Item extends BulkResource.BulkItemBase, Encoded extends BulkResource.BulkItemBase>(
    resource: BulkResource.BulkResource<Item, Encoded>,
    parentId: string,
    listOptions?: ListOptions
  ): Effect.Effect<ReadonlyArray<ExistingObject>, KustomerError> => {
    const method = "listChildren"
    const listing = resource.listing
    if (listing === undefined) {
      return Effect.fail(
        fail(method, new InvalidRequest({ status: 0, detail: `Kustomer has no listing of ${resource.name}` }))
      )
    }
    const readPage = (pathOrUrl: string) =>
      Effect.zipRight(
        listOptions?.onPage ?? Effect.void,
        run({
          method,
          request: HttpClientRequest.get(pathOrUrl),
          requiredRoles: resource.readRoles,
          decode: (body) =>
            Either.map(decodeListingPage(body), (page) => ({ data: page.data ?? [], links: page.links }))
        })
      )
    return readAllPages({
      baseUrl,
      firstPath: `${listing.path(parentId)}?pageSize=${listingPageSize}`,
      maxPages,
      readPage,
      refused: (detail) => fail(method, new Decode({ status: 200, detail, bodyExcerpt: "" }))
    }).pipe(
      Effect.map((all): ReadonlyArray<ExistingObject> => all.data),
      Effect.withSpan("KustomerClient.listChildren", { attributes: { "kustomer.resource": resource.name } })
    )
  }

  return { listChildren, listUsers }
}
