/**
 * Facts about a schema's shape that let the pipeline skip work on its hot path.
 */
import * as Predicate from "effect/Predicate"
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
 * What a schema says about the keys of a value at one place: the fields an object may have (`undefined` when any
 * key is allowed or the schema has no object there) and, for arrays, what their elements are.
 */
interface Shape {
  readonly fields: ReadonlyMap<string, Shape> | undefined
  readonly elements: Shape | undefined
}

const anything: Shape = { fields: undefined, elements: undefined }

/** Whether a shape constrains anything below it (else nothing there needs a look). */
const constrains = (shape: Shape): boolean => shape.fields !== undefined || shape.elements !== undefined

/**
 * The shape of the input side of a schema. Unions merge their members (a key known to any member is known);
 * records, declarations and recursive schemas accept any key. Depth follows the schema, not the input.
 */
const shapeOf = (ast: AST.AST, depth = 0): Shape => {
  if (depth > 32) return anything
  switch (ast._tag) {
    case "Refinement":
      return shapeOf(ast.from, depth + 1)
    case "Transformation":
      return shapeOf(ast.from, depth + 1)
    case "TypeLiteral": {
      if (ast.indexSignatures.length > 0) return anything
      const fields = new Map<string, Shape>()
      for (const signature of ast.propertySignatures) {
        if (typeof signature.name === "string") fields.set(signature.name, shapeOf(signature.type, depth + 1))
      }
      return { fields, elements: undefined }
    }
    case "TupleType": {
      const members = [...ast.elements.map((element) => element.type), ...ast.rest.map((rest) => rest.type)]
      return { fields: undefined, elements: merge(members.map((member) => shapeOf(member, depth + 1))) }
    }
    case "Union":
      return merge(ast.types.map((member) => shapeOf(member, depth + 1)))
    default:
      return anything
  }
}

/** One shape that knows every key any of `shapes` knows; `anything` wins where a member accepts any key. */
const merge = (shapes: ReadonlyArray<Shape>): Shape => {
  const objects = shapes.filter((shape) => shape.fields !== undefined)
  const arrays = shapes.flatMap((shape) => shape.elements === undefined ? [] : [shape.elements])
  let fields: Map<string, Shape> | undefined
  if (objects.length > 0) {
    fields = new Map()
    for (const shape of objects) {
      for (const [key, child] of shape.fields ?? []) {
        const known = fields.get(key)
        fields.set(key, known === undefined ? child : merge([known, child]))
      }
    }
  }
  const elements = arrays.length === 0 ? undefined : arrays.length === 1 ? arrays[0] : merge(arrays)
  const result: Shape = { fields, elements }
  return constrains(result) ? result : anything
}

/** A field the schema does not know: its path (`emails.0.verified`) and what it means. */
export interface UnknownField {
  readonly path: string
  readonly message: string
}

/**
 * A check for fields the schema does not know, at every depth (`queue.bogus`, `emails.0.verified`), walked with
 * an explicit stack; `undefined` when the schema accepts any key anywhere.
 */
export const unknownFields = (
  ast: AST.AST,
  resourceName: string
): ((value: unknown) => ReadonlyArray<UnknownField>) | undefined => {
  const root = shapeOf(ast)
  if (!constrains(root)) return undefined
  const describe = (path: string) =>
    path === ""
      ? `is not a field of ${resourceName} (misspelt? it would be lost)`
      : `is not a field of ${path} (misspelt? it would be lost)`
  // Paths, values and shapes on three parallel stacks: this runs for every record, so it allocates little.
  return (value) => {
    const found: Array<UnknownField> = []
    const values: Array<unknown> = [value]
    const shapes: Array<Shape> = [root]
    const paths: Array<string> = [""]
    while (values.length > 0) {
      const current = values.pop()
      const shape = shapes.pop() ?? anything
      const path = paths.pop() ?? ""
      const prefix = path === "" ? "" : `${path}.`
      if (Array.isArray(current)) {
        const elements = shape.elements
        if (elements !== undefined && constrains(elements)) {
          for (let index = 0; index < current.length; index++) {
            values.push(current[index])
            shapes.push(elements)
            paths.push(`${prefix}${index}`)
          }
        }
      } else if (Predicate.isRecord(current) && shape.fields !== undefined) {
        for (const key in current) {
          const child = shape.fields.get(key)
          if (child === undefined) {
            found.push({ path: `${prefix}${key}`, message: describe(path) })
          } else if (constrains(child)) {
            values.push(current[key])
            shapes.push(child)
            paths.push(`${prefix}${key}`)
          }
        }
      }
    }
    return found
  }
}
