/**
 * What a conversion is told: whether deleted tickets are converted, the priority map and the fields map. Parsed
 * from the CLI's flags and files here, so that a mistake in them stops the conversion before anything is written.
 */
import { CustomAttributes } from "@effect-kustomer/domain"
import * as Either from "effect/Either"
import { idText, type TicketField } from "./schema.js"

/** Zendesk's four priorities, lowest first. */
export const zendeskPriorities = ["low", "normal", "high", "urgent"] as const

/**
 * The default priority map. Kustomer's priority runs from 1 (lowest) to 5 (highest); Zendesk has four levels. The
 * two routine ones go below Kustomer's middle value 3 and the two escalations above it, so "priority 4 or more"
 * in Kustomer finds exactly what Zendesk called high or urgent.
 */
export const defaultPriorityMap: Readonly<Record<string, number>> = { low: 1, normal: 2, high: 4, urgent: 5 }

/** `low=1,normal=3,…` over the default map; each value an integer from 1 to 5. */
export const parsePriorityMap = (text: string): Either.Either<Readonly<Record<string, number>>, string> => {
  const map: Record<string, number> = { ...defaultPriorityMap }
  for (const pair of text.split(",").map((part) => part.trim()).filter((part) => part.length > 0)) {
    const [name, value, ...rest] = pair.split("=").map((part) => part.trim())
    if (name === undefined || value === undefined || rest.length > 0) {
      return Either.left(`--priority-map: "${pair}" is not priority=value (e.g. normal=3)`)
    }
    if (!zendeskPriorities.some((priority) => priority === name)) {
      return Either.left(`--priority-map: "${name}" is not a Zendesk priority (${zendeskPriorities.join(", ")})`)
    }
    if (!/^[1-5]$/.test(value)) {
      return Either.left(`--priority-map: ${name}=${value}: Kustomer's priority is an integer from 1 to 5`)
    }
    map[name] = Number(value)
  }
  return Either.right(map)
}

/** The keys of a fields map that name the satisfaction rating's score and comment rather than a custom field. */
export const satisfactionKey = "satisfaction"
export const satisfactionCommentKey = "satisfaction.comment"

/** A fields map as written: Zendesk field (id or title) → Kustomer custom attribute. */
export type FieldsMapEntries = ReadonlyArray<{ readonly field: string; readonly attribute: string }>

/** A fields map whose titles were looked up: field id → attribute, and the satisfaction rating's attributes. */
export interface FieldsMap {
  readonly byId: ReadonlyMap<string, string>
  readonly satisfaction: string | undefined
  readonly satisfactionComment: string | undefined
}

/** The empty fields map: no custom field and no satisfaction rating is carried. */
export const emptyFieldsMap: FieldsMap = { byId: new Map(), satisfaction: undefined, satisfactionComment: undefined }

const attributeProblem = (attribute: string): string | undefined =>
  CustomAttributes.suffixOf(attribute) === undefined || !/^[A-Za-z][A-Za-z0-9_]*$/.test(attribute)
    ? `"${attribute}" is not a Kustomer custom attribute name: a name ending in its type, one of ${
      CustomAttributes.customAttributeSuffixes.join(", ")
    } (e.g. orderNumberStr)`
    : undefined

/** The cells of one CSV line; `"…"` quotes a cell, `""` inside it is a quote. */
const csvCells = (line: string): ReadonlyArray<string> => {
  const cells: Array<string> = []
  let cell = ""
  let quoted = false
  for (let index = 0; index < line.length; index++) {
    const char = line[index]
    if (quoted) {
      if (char === "\"" && line[index + 1] === "\"") {
        cell += "\""
        index++
      } else if (char === "\"") {
        quoted = false
      } else {
        cell += char
      }
    } else if (char === "\"") {
      quoted = true
    } else if (char === ",") {
      cells.push(cell.trim())
      cell = ""
    } else {
      cell += char
    }
  }
  cells.push(cell.trim())
  return cells
}

const checked = (entries: FieldsMapEntries, source: string): Either.Either<FieldsMapEntries, string> => {
  const fields = new Set<string>()
  const attributes = new Map<string, string>()
  for (const { attribute, field } of entries) {
    if (field.length === 0) return Either.left(`${source}: an empty Zendesk field name (for ${attribute})`)
    const problem = attributeProblem(attribute)
    if (problem !== undefined) return Either.left(`${source}: ${field}: ${problem}`)
    if (fields.has(field)) return Either.left(`${source}: ${field} is mapped twice`)
    const other = attributes.get(attribute)
    if (other !== undefined) {
      return Either.left(`${source}: ${other} and ${field} both map to ${attribute}: one would overwrite the other`)
    }
    fields.add(field)
    attributes.set(attribute, field)
  }
  return Either.right(entries)
}

/**
 * A fields map file: a JSON object (`{"360001": "orderNumberStr", "satisfaction": "csatScoreStr"}`) or CSV lines
 * `zendeskFieldIdOrTitle,kustomerAttributeName` (a first line whose attribute has no type suffix is a header).
 */
export const parseFieldsMap = (text: string, source: string): Either.Either<FieldsMapEntries, string> => {
  if (text.trimStart().startsWith("{")) {
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch (error) {
      return Either.left(`${source} is not JSON: ${String(error)}`)
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      return Either.left(`${source}: expected an object of Zendesk field → Kustomer attribute`)
    }
    const entries: Array<{ field: string; attribute: string }> = []
    for (const [field, attribute] of Object.entries(parsed)) {
      if (typeof attribute !== "string") return Either.left(`${source}: ${field}: the attribute must be a string`)
      entries.push({ field: field.trim(), attribute: attribute.trim() })
    }
    return checked(entries, source)
  }
  const lines = text.split(/\r?\n/).map((line, index) => ({ line: index + 1, text: line }))
    .filter((line) => line.text.trim().length > 0)
  const entries: Array<{ field: string; attribute: string }> = []
  for (const [position, line] of lines.entries()) {
    const cells = csvCells(line.text)
    const [field, attribute] = cells
    if (cells.length !== 2 || field === undefined || attribute === undefined) {
      return Either.left(`${source}:${line.line}: expected zendeskFieldIdOrTitle,kustomerAttributeName`)
    }
    if (position === 0 && attributeProblem(attribute) !== undefined) continue
    entries.push({ field, attribute })
  }
  return checked(entries, source)
}

/**
 * The fields map with its titles looked up in the ticket fields' definitions. A field named by title needs the
 * definitions; a title that matches no field, or several, is an error rather than a field silently left out.
 */
export const resolveFieldsMap = (
  entries: FieldsMapEntries,
  ticketFields: ReadonlyArray<TicketField> | undefined
): Either.Either<FieldsMap, string> => {
  const byId = new Map<string, string>()
  let satisfaction: string | undefined
  let satisfactionComment: string | undefined
  for (const { attribute, field } of entries) {
    if (field === satisfactionKey) {
      satisfaction = attribute
      continue
    }
    if (field === satisfactionCommentKey) {
      satisfactionComment = attribute
      continue
    }
    if (/^[0-9]+$/.test(field)) {
      byId.set(field, attribute)
      continue
    }
    if (ticketFields === undefined) {
      return Either.left(
        `the fields map names "${field}", which is not a field id: to name fields by title, give --ticket-fields ` +
          `(Zendesk's GET /api/v2/ticket_fields), or use the field's id`
      )
    }
    const exact = ticketFields.filter((definition) => definition.title?.trim() === field)
    const matches = exact.length > 0
      ? exact
      : ticketFields.filter((definition) => definition.title?.trim().toLowerCase() === field.toLowerCase())
    const [match, ...others] = matches
    if (match === undefined) return Either.left(`the fields map names "${field}", and no ticket field has that title`)
    if (others.length > 0) {
      return Either.left(
        `the fields map names "${field}", and ${matches.length} ticket fields have that title ` +
          `(${matches.map((definition) => idText(definition.id)).join(", ")}): use the id`
      )
    }
    const id = idText(match.id)
    if (byId.has(id)) return Either.left(`the fields map names ticket field ${id} twice (by id and by title)`)
    byId.set(id, attribute)
  }
  return Either.right({ byId, satisfaction, satisfactionComment })
}

/** What a conversion is told. */
export interface ConvertOptions {
  /** Convert deleted tickets (as `done`, tagged `zendesk-deleted`) instead of skipping them. */
  readonly includeDeleted: boolean
  /** Zendesk priority → Kustomer priority (1–5). */
  readonly priorityMap: Readonly<Record<string, number>>
  /** Custom fields and the satisfaction rating → Kustomer custom attributes. */
  readonly fieldsMap: FieldsMap
  /**
   * Attachments already downloaded: Zendesk attachment id → the file's path, relative to the bundle's folder. An
   * attachment found here is written with its `path`, the others with their `url`.
   */
  readonly attachmentFiles?: ReadonlyMap<string, string> | undefined
}

/** Deleted tickets skipped, the default priority map, no fields map. */
export const defaultOptions: ConvertOptions = {
  includeDeleted: false,
  priorityMap: defaultPriorityMap,
  fieldsMap: emptyFieldsMap
}
