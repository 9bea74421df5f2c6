/**
 * Facts about a schema's shape that let the pipeline skip work on its hot path.
 */
import type * as AST from "effect/SchemaAST"

/**
 * Whether encoding a decoded value yields the same JSON: the schema has no transformation anywhere, only
 * refinements and brands. Then `JSON.stringify(decoded)` is the wire JSON and the encode step can be skipped.
 */
export const encodesAsItself = (ast: AST.AST): boolean => {
  switch (ast._tag) {
    case "Transformation":
    case "Suspend":
    case "Declaration":
      return false
    case "Refinement":
      return encodesAsItself(ast.from)
    case "TypeLiteral":
      return ast.propertySignatures.every((signature) => encodesAsItself(signature.type)) &&
        ast.indexSignatures.every((signature) => encodesAsItself(signature.type))
    case "Union":
      return ast.types.every((member) => encodesAsItself(member))
    case "TupleType":
      return ast.elements.every((element) => encodesAsItself(element.type)) &&
        ast.rest.every((rest) => encodesAsItself(rest.type))
    default:
      return true
  }
}

/**
 * The field names of a struct schema (through refinements), or `undefined` when the schema is not a plain struct
 * or accepts any key.
 */
export const fieldNames = (ast: AST.AST): ReadonlySet<string> | undefined => {
  if (ast._tag === "Refinement") return fieldNames(ast.from)
  if (ast._tag !== "TypeLiteral" || ast.indexSignatures.length > 0) return undefined
  return new Set(
    ast.propertySignatures.flatMap((signature) => typeof signature.name === "string" ? [signature.name] : [])
  )
}
