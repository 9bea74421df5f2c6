/**
 * A decode error as a flat list of issues (path and message), exactly as `ParseResult.ArrayFormatter` lists them,
 * without starting a fiber for each error. The formatter returns an `Effect` for any composite issue with several
 * members (a struct decoded with `errors: "all"`), and `formatErrorSync` then runs it with `Effect.runSync`: for an
 * invalid record that costs more than validating twenty valid ones. Here composites (and pointers into them) are
 * walked directly, and every other issue is handed to the formatter, whose answer for those is immediate.
 */
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as AST from "effect/SchemaAST"

/** One issue of the list: where (property keys and indexes) and what. */
export interface Issue {
  readonly path: ReadonlyArray<PropertyKey>
  readonly message: string
}

const isMany = (
  members: ParseResult.SingleOrNonEmpty<ParseResult.ParseIssue>
): members is readonly [ParseResult.ParseIssue, ...Array<ParseResult.ParseIssue>] => Array.isArray(members)

const collect = (issue: ParseResult.ParseIssue, path: ReadonlyArray<PropertyKey>, into: Array<Issue>): void => {
  switch (issue._tag) {
    case "Pointer":
      collect(issue.issue, path.concat(issue.path), into)
      return
    case "Composite":
      // A message annotation can replace a composite's members (with `override`): leave those to the formatter.
      if (Option.isNone(AST.getMessageAnnotation(issue.ast))) {
        const members = issue.issues
        if (isMany(members)) {
          for (const member of members) collect(member, path, into)
        } else {
          collect(members, path, into)
        }
        return
      }
  }
  for (const formatted of ParseResult.ArrayFormatter.formatIssueSync(issue)) {
    into.push({ path: path.length === 0 ? formatted.path : path.concat(formatted.path), message: formatted.message })
  }
}

/** The issues of a decode failure, in the order and with the paths and messages `ArrayFormatter` gives them. */
export const issuesOf = (issue: ParseResult.ParseIssue): ReadonlyArray<Issue> => {
  const issues: Array<Issue> = []
  collect(issue, [], issues)
  return issues
}
