/**
 * Reading every page of a paginated list (a bulk job's batch results, a conversation's messages or notes):
 * `links.next` is followed (same origin only, relative links resolved against the current page) until there is
 * none, a link repeats, or the page limit is reached.
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"

/** Where the next page of batch results is, if it may be followed: same origin as the API, or relative. */
const nextPage = (current: URL, next: string, origin: string): Either.Either<URL, string> => {
  let resolved: URL
  try {
    resolved = new URL(next, current)
  } catch {
    return Either.left(`the next-page link ${JSON.stringify(next)} is not a URL`)
  }
  return resolved.origin === origin
    ? Either.right(resolved)
    : Either.left(`the next-page link points to another origin (${resolved.origin}); it was not followed`)
}

/** One page of a list, as far as paging goes. */
export interface Page<A> {
  readonly data: ReadonlyArray<A>
  readonly links?: { readonly next?: string | null | undefined } | null | undefined
}

/** How to read the pages of one list. */
export interface PagesOptions<A, E> {
  /** The API's base URL. */
  readonly baseUrl: string
  /** The path of the first page. */
  readonly firstPath: string
  /** The most pages followed; more is refused. */
  readonly maxPages: number
  /** Reads one page: a path for the first, an absolute URL for the next. */
  readonly readPage: (pathOrUrl: string) => Effect.Effect<Page<A>, E>
  /** The error for a link that is refused (another origin, not a URL, too many pages). */
  readonly refused: (detail: string) => E
}

/** Every element of every page. */
export const readAllPages = <A, E>(options: PagesOptions<A, E>): Effect.Effect<{ data: Array<A> }, E> =>
  Effect.gen(function*() {
    const origin = new URL(options.baseUrl).origin
    let current = new URL(`${options.baseUrl}${options.firstPath}`)
    let request = options.firstPath
    const visited = new Set([current.href])
    const data: Array<A> = []
    for (let page = 1;; page++) {
      const document = yield* options.readPage(request)
      data.push(...document.data)
      const next = document.links?.next
      if (next === undefined || next === null || next === "") break
      const resolved = nextPage(current, next, origin)
      if (Either.isLeft(resolved)) return yield* Effect.fail(options.refused(resolved.left))
      if (page >= options.maxPages) {
        return yield* Effect.fail(options.refused(`more than ${options.maxPages} pages`))
      }
      // A link seen before would loop forever: the pages read so far are all there is.
      if (visited.has(resolved.right.href)) break
      visited.add(resolved.right.href)
      current = resolved.right
      request = current.href
    }
    return { data }
  })
