/**
 * A comment's HTML as plain text: what a reader of the migrated message needs, link targets included. Kustomer's
 * bulk message has one free-text field (`preview`), so the text must stand on its own.
 *
 * - `<a href="u">text</a>` → `text (u)`; the target is left out when the text already says it (`u`, an e-mail
 *   address behind `mailto:`), and for in-page anchors (`#…`) and `javascript:` links, which lead nowhere.
 * - `<img alt="a" src="u">` → `a (u)`, or `u` without `alt`.
 * - Paragraphs, headings, lists, quotes, tables and `<pre>` start on a new paragraph (a blank line); `<br>`, `<div>`,
 *   list items and table rows on a new line. List items start with `- ` (`1. ` in an ordered list).
 * - Runs of white space collapse to one space, as a browser shows them, except inside `<pre>`.
 * - Entities are decoded: numeric ones (`&#8217;`, `&#x2019;`) and the named ones e-mail and editors produce
 *   (`&amp;`, `&nbsp;`, `&hellip;`, quotes, dashes, …); an unknown named entity is kept as written.
 * - `<script>`, `<style>`, `<head>` and comments are dropped: they are not text.
 */

const named: Readonly<Record<string, string>> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: "\"",
  apos: "'",
  nbsp: "\u00a0",
  copy: "©",
  reg: "®",
  trade: "™",
  hellip: "…",
  mdash: "—",
  ndash: "–",
  lsquo: "‘",
  rsquo: "’",
  sbquo: "‚",
  ldquo: "“",
  rdquo: "”",
  bdquo: "„",
  laquo: "«",
  raquo: "»",
  bull: "•",
  middot: "·",
  euro: "€",
  pound: "£",
  yen: "¥",
  cent: "¢",
  sect: "§",
  para: "¶",
  deg: "°",
  plusmn: "±",
  times: "×",
  divide: "÷",
  frac12: "½",
  frac14: "¼",
  frac34: "¾",
  iexcl: "¡",
  iquest: "¿",
  shy: "\u00ad",
  zwj: "\u200d",
  zwnj: "\u200c",
  lrm: "\u200e",
  rlm: "\u200f",
  ensp: "\u2002",
  emsp: "\u2003",
  thinsp: "\u2009"
}

const codePoint = (value: number): string =>
  Number.isInteger(value) && value > 0 && value <= 0x10ffff && (value < 0xd800 || value > 0xdfff)
    ? String.fromCodePoint(value)
    : "\ufffd"

/** Decodes character references: numeric ones always, named ones from the table above. */
export const decodeEntities = (text: string): string =>
  text.includes("&")
    ? text.replace(
      /&(#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,7}|[a-zA-Z][a-zA-Z0-9]{1,31});/g,
      (entity: string, name: string) => {
        if (name.startsWith("#x") || name.startsWith("#X")) return codePoint(Number.parseInt(name.slice(2), 16))
        if (name.startsWith("#")) return codePoint(Number.parseInt(name.slice(1), 10))
        return named[name] ?? named[name.toLowerCase()] ?? entity
      }
    )
    : text

/** Tags whose content is not text. */
const hiddenBlocks = /<(script|style|head|template)\b[\s\S]*?(?:<\/\1\s*>|$)/gi

const comments = /<!--[\s\S]*?(?:-->|$)|<![^>]*>|<\?[^>]*>/g

/** A tag (with quoted attributes that may hold `>`), a run of text, or a lone `<`. */
const tokens = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>|[^<]+|</g

const attributes = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g

const attributeOf = (source: string, name: string): string | undefined => {
  for (const match of source.matchAll(attributes)) {
    if (match[1]?.toLowerCase() === name) return decodeEntities(match[2] ?? match[3] ?? match[4] ?? "").trim()
  }
  return undefined
}

const paragraphTags = new Set([
  "p",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "ul",
  "ol",
  "blockquote",
  "pre",
  "table",
  "hr",
  "address",
  "figure"
])

const lineTags = new Set(["div", "tr", "section", "article", "header", "footer", "dl", "dt", "dd", "center"])

/** Marks that stand for white space inside `<pre>` (and list indents) until the rest is collapsed. */
const preSpace = "\ue000"
const preNewline = "\ue001"

const collapse = (text: string): string => text.replace(/[ \t\n\r\f]+/g, " ")

/** Whether a link's text already says where it leads. */
const saysTarget = (text: string, href: string): boolean => {
  const plain = text.trim()
  const bare = href.replace(/^(mailto|tel):/i, "")
  const withoutScheme = href.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "")
  return [href, bare, withoutScheme, withoutScheme.replace(/\/$/, ""), href.replace(/\/$/, "")].includes(plain)
}

const leadsNowhere = (href: string): boolean => href === "" || href.startsWith("#") || /^javascript:/i.test(href)

/**
 * An HTML fragment as plain text (see the module's description).
 */
export const htmlToText = (html: string): string => {
  const source = html.replace(comments, "").replace(hiddenBlocks, "")
  let out = ""
  // The break the next text must start on: 1 a new line, 2 a new paragraph. Blocks ask for one; it is written only
  // before text, so nested and adjacent blocks do not pile up empty lines.
  let pending = 0
  let preDepth = 0
  const links: Array<{ readonly href: string; readonly start: number }> = []
  const lists: Array<{ readonly ordered: boolean; items: number }> = []
  const breakAt = (level: number) => {
    pending = Math.max(pending, level)
  }
  const emit = (value: string) => {
    if (value === "") return
    if (pending > 0) {
      if (value.trim() === "" && preDepth === 0) return
      if (out.trim() !== "") {
        const trailing = /\n*$/.exec(out.replace(/[ \t]+$/, ""))?.[0].length ?? 0
        out += "\n".repeat(Math.max(0, pending - trailing))
      }
      pending = 0
    }
    out += value
  }
  for (const match of source.matchAll(tokens)) {
    const name = match[2]?.toLowerCase()
    if (name === undefined) {
      const decoded = decodeEntities(match[0])
      emit(preDepth > 0 ? decoded.replace(/\r?\n/g, preNewline).replace(/[ \t]/g, preSpace) : collapse(decoded))
      continue
    }
    const closing = match[1] === "/"
    const attributeSource = match[3] ?? ""
    if (name === "br") {
      emit("\n")
    } else if (name === "a") {
      if (!closing) {
        links.push({ href: attributeOf(attributeSource, "href") ?? "", start: out.length })
      } else {
        const link = links.pop()
        if (link !== undefined && !leadsNowhere(link.href)) {
          const label = out.slice(link.start)
          if (!saysTarget(label, link.href)) emit(label.trim() === "" ? link.href : ` (${link.href})`)
        }
      }
    } else if (name === "img" && !closing) {
      const src = attributeOf(attributeSource, "src") ?? ""
      const alt = attributeOf(attributeSource, "alt") ?? ""
      emit(alt === "" ? src : src === "" ? alt : `${alt} (${src})`)
    } else if (name === "li") {
      breakAt(1)
      if (!closing) {
        const list = lists[lists.length - 1]
        if (list !== undefined) list.items += 1
        // The indent of a nested item is kept through the trimming of lines, as `<pre>`'s spaces are.
        const indent = preSpace.repeat(2 * Math.max(0, lists.length - 1))
        emit(`${indent}${list?.ordered === true ? `${list.items}. ` : "- "}`)
      }
    } else if (name === "td" || name === "th") {
      if (closing) emit(" ")
    } else if (name === "ul" || name === "ol") {
      if (closing) lists.pop()
      else lists.push({ ordered: name === "ol", items: 0 })
      // A list inside a list item goes on the next line, not a paragraph of its own.
      breakAt(lists.length > (closing ? 0 : 1) ? 1 : 2)
    } else if (paragraphTags.has(name)) {
      breakAt(2)
      if (name === "pre") preDepth = Math.max(0, preDepth + (closing ? -1 : 1))
    } else if (lineTags.has(name)) {
      breakAt(1)
    }
  }
  // A non-breaking space reads as a space; editors fill empty paragraphs with one, so it is trimmed like one.
  return out
    .replaceAll("\u00a0", " ")
    .replace(/[ \t]*\n[ \t]*/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .replaceAll(preSpace, " ")
    .replaceAll(preNewline, "\n")
    .trim()
}

const sameWords = (a: string, b: string): boolean => a.replace(/\s+/g, " ").trim() === b.replace(/\s+/g, " ").trim()

/**
 * A comment's text. Zendesk's own plain text (`plain_body`, else `body`) when it says the same as `html_body`
 * rendered — it keeps the author's line breaks as Zendesk stored them; otherwise the rendering of `html_body`,
 * which keeps what the plain text lost (link targets, image addresses). Without `html_body`, the plain text.
 */
export const commentText = (
  comment: {
    readonly plain_body?: string | null | undefined
    readonly body?: string | null | undefined
    readonly html_body?: string | null | undefined
  }
): string => {
  const plain = comment.plain_body ?? comment.body ?? undefined
  const html = comment.html_body ?? undefined
  if (html === undefined || html.trim() === "") return plain ?? ""
  const rendered = htmlToText(html)
  return plain !== undefined && sameWords(plain, rendered) ? plain : rendered
}
