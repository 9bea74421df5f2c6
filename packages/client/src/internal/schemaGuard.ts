/**
 * A fast check compiled from a schema's AST that answers one question for the hot path: is this value certainly
 * valid, such that decoding it would return it unchanged? A `true` lets the pipeline skip the full decode (which
 * allocates a result per field and is most of validation's time); a `false` only means "ask the schema", which
 * then decides and says why. So the guard must never say `true` where decoding would fail or change the value, and
 * it may say `false` whenever it is not sure:
 *
 * - any key that no property or index signature declares makes it `false` (decoding would drop or refuse it);
 * - transformations, declarations, recursive schemas, enums and template literals make it `false` wherever they
 *   occur (decoding might change the value there);
 * - so do unions with an object or an array inside a member: decoding takes the first member that fits, which
 *   for objects may be one that drops keys another member declares.
 *
 * Refinements run their own filter, so `Int`, `between`, patterns and custom filters hold exactly as in decoding.
 */
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import type * as AST from "effect/SchemaAST"

/** Whether a value is certainly valid and decodes to itself (`false`: decode it to find out). */
export type Guard = (value: unknown) => boolean

const never: Guard = () => false
const always: Guard = () => true
const filterOptions: AST.ParseOptions = { errors: "first" }

/** Whether any object or array can occur in values of `ast` (unions of such members are not guarded). */
const holdsStructure = (ast: AST.AST): boolean => {
  switch (ast._tag) {
    case "TypeLiteral":
    case "TupleType":
    case "Transformation":
    case "Declaration":
    case "Suspend":
      return true
    case "Refinement":
      return holdsStructure(ast.from)
    case "Union":
      return ast.types.some((member) => holdsStructure(member))
    default:
      return false
  }
}

/** An object: every declared property present (or optional and absent) and valid; every other key under an index signature. */
const typeLiteralGuard = (ast: AST.TypeLiteral): Guard => {
  const fields = new Map<string, { readonly guard: Guard; readonly optional: boolean }>()
  for (const signature of ast.propertySignatures) {
    if (typeof signature.name !== "string") return never
    fields.set(signature.name, { guard: compile(signature.type), optional: signature.isOptional })
  }
  const required = ast.propertySignatures.filter((signature) => !signature.isOptional).length
  // Index signatures over plain strings only: a refined or template-literal key type is left to the schema.
  const indexGuards: Array<Guard> = []
  for (const signature of ast.indexSignatures) {
    if (signature.parameter._tag !== "StringKeyword") return never
    indexGuards.push(compile(signature.type))
  }
  return (value) => {
    if (!Predicate.isRecord(value)) return false
    let present = 0
    for (const key in value) {
      if (!Object.prototype.hasOwnProperty.call(value, key)) return false
      const field = fields.get(key)
      if (field !== undefined) {
        if (!field.guard(value[key])) return false
        if (!field.optional) present++
      } else {
        if (indexGuards.length === 0) return false
        for (const guard of indexGuards) if (!guard(value[key])) return false
      }
    }
    return present === required
  }
}

/** An array: only `Array<T>` (no fixed elements), every element valid. */
const tupleGuard = (ast: AST.TupleType): Guard => {
  if (ast.elements.length > 0 || ast.rest.length !== 1) return never
  const [rest] = ast.rest
  if (rest === undefined) return never
  // Arrays of strings (tags) are common: their elements are checked in the loop, not by a call each.
  if (rest.type._tag === "StringKeyword") {
    return (value) => {
      if (!Array.isArray(value)) return false
      for (let index = 0; index < value.length; index++) if (typeof value[index] !== "string") return false
      return true
    }
  }
  const element = compile(rest.type)
  return (value) => {
    if (!Array.isArray(value)) return false
    for (let index = 0; index < value.length; index++) if (!element(value[index])) return false
    return true
  }
}

const refinementGuard = (ast: AST.Refinement): Guard => {
  const from = compile(ast.from)
  const filter = ast.filter
  return (value) => from(value) && Option.isNone(filter(value, filterOptions, ast))
}

/** The literals of a union made of nothing else (`"open" | "done"`, `null`), else `undefined`. */
const literalsOf = (ast: AST.Union): ReadonlyArray<AST.LiteralValue> | undefined => {
  const literals: Array<AST.LiteralValue> = []
  for (const member of ast.types) {
    if (member._tag !== "Literal") return undefined
    literals.push(member.literal)
  }
  return literals
}

const unionGuard = (ast: AST.Union): Guard => {
  if (ast.types.some((member) => holdsStructure(member))) return never
  // A union of literals is one set look-up (`===` and the set's equality differ only for NaN, which is left to the
  // members' own guards); a union of two (`NullOr`) is two calls, not an array's `some` with a callback.
  const literals = literalsOf(ast)
  if (literals !== undefined && !literals.some((literal) => Number.isNaN(literal))) {
    const set = new Set<unknown>(literals)
    return (value) => set.has(value)
  }
  const members = ast.types.map((member) => compile(member))
  const [first, second] = members
  if (members.length === 2 && first !== undefined && second !== undefined) {
    return (value) => first(value) || second(value)
  }
  return (value) => members.some((member) => member(value))
}

/** The guard of a schema's AST (the input side: compile `schema.ast`). */
export const compile = (ast: AST.AST): Guard => {
  switch (ast._tag) {
    case "StringKeyword":
      return (value) => typeof value === "string"
    case "NumberKeyword":
      return (value) => typeof value === "number"
    case "BooleanKeyword":
      return (value) => typeof value === "boolean"
    case "UnknownKeyword":
    case "AnyKeyword":
      return always
    case "Literal": {
      const literal = ast.literal
      return (value) => value === literal
    }
    case "Refinement":
      return refinementGuard(ast)
    case "TypeLiteral":
      return typeLiteralGuard(ast)
    case "TupleType":
      return tupleGuard(ast)
    case "Union":
      return unionGuard(ast)
    default:
      return never
  }
}
