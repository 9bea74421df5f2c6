import { assert, describe, it } from "@effect/vitest"
import { ZendeskExport } from "../src/index.js"

const { commentText, htmlToText } = ZendeskExport

describe("ZendeskExport.htmlToText", () => {
  it("keeps a link's target after its text", () => {
    assert.strictEqual(
      htmlToText("See <a href=\"https://help.example.com/a?x=1&amp;y=2\">the article</a>."),
      "See the article (https://help.example.com/a?x=1&y=2)."
    )
    assert.strictEqual(htmlToText("<a href='https://x.example'>single quotes</a>"), "single quotes (https://x.example)")
    assert.strictEqual(htmlToText("<a href=https://x.example/b>unquoted</a>"), "unquoted (https://x.example/b)")
  })

  it("does not repeat a target the text already says, and drops targets that lead nowhere", () => {
    assert.strictEqual(htmlToText("<a href=\"https://example.com/\">https://example.com/</a>"), "https://example.com/")
    assert.strictEqual(htmlToText("<a href=\"https://example.com/\">example.com</a>"), "example.com")
    assert.strictEqual(htmlToText("<a href=\"mailto:ada@example.com\">ada@example.com</a>"), "ada@example.com")
    assert.strictEqual(htmlToText("<a href=\"mailto:ada@example.com\">Ada</a>"), "Ada (mailto:ada@example.com)")
    assert.strictEqual(htmlToText("<a href=\"#top\">top</a>"), "top")
    assert.strictEqual(htmlToText("<a href=\"javascript:void(0)\">click</a>"), "click")
    assert.strictEqual(htmlToText("<a name=\"anchor\">here</a>"), "here")
    assert.strictEqual(htmlToText("<a href=\"https://x.example\"></a>"), "https://x.example")
  })

  it("turns paragraphs into blank lines and line breaks into newlines", () => {
    assert.strictEqual(
      htmlToText("<p>Hello,</p>\n<p>thanks for writing.<br>Sam<br/>Support</p>"),
      "Hello,\n\nthanks for writing.\nSam\nSupport"
    )
    assert.strictEqual(htmlToText("<div>one</div><div>two</div>"), "one\ntwo")
    assert.strictEqual(htmlToText("<h2>Title</h2><p>body</p>"), "Title\n\nbody")
    assert.strictEqual(htmlToText("<p>a</p><p>&nbsp;</p><p></p><p>b</p>"), "a\n\nb")
  })

  it("collapses white space as a browser shows it, except inside <pre>", () => {
    assert.strictEqual(htmlToText("  many \n\t spaces   <b>bold</b>  here "), "many spaces bold here")
    assert.strictEqual(htmlToText("<p>code:</p><pre>  a = 1\n  b = 2</pre>"), "code:\n\n  a = 1\n  b = 2")
  })

  it("decodes entities: named, decimal and hexadecimal; an unknown one stays as written", () => {
    assert.strictEqual(
      htmlToText("Tom &amp; Jerry &lt;3 &quot;quotes&quot; &#39;x&#39; &#8217; &#x1F600; &hellip; &mdash; &unknown;"),
      "Tom & Jerry <3 \"quotes\" 'x' ’ 😀 … — &unknown;"
    )
    assert.strictEqual(htmlToText("&#0; &#xD800;"), "\ufffd \ufffd")
    assert.strictEqual(htmlToText("a &lt;b&gt; tag"), "a <b> tag")
  })

  it("writes lists one item per line", () => {
    assert.strictEqual(htmlToText("<p>Steps:</p><ol><li>one</li><li>two</li></ol>"), "Steps:\n\n1. one\n2. two")
    assert.strictEqual(
      htmlToText("<ul><li>a<ul><li>a1</li></ul></li><li>b</li></ul>"),
      "- a\n  - a1\n- b"
    )
  })

  it("shows images by their text and address, and drops what is not text", () => {
    assert.strictEqual(
      htmlToText(
        "<p><img src=\"https://x.example/i.png\" alt=\"label\"> and <img src=\"https://x.example/j.png\"></p>"
      ),
      "label (https://x.example/i.png) and https://x.example/j.png"
    )
    assert.strictEqual(
      htmlToText(
        "<html><head><title>t</title><style>p{color:red}</style></head><body><!-- note --><script>x()</script>" +
          "<p>only this</p></body></html>"
      ),
      "only this"
    )
  })

  it("puts table cells apart and rows on lines", () => {
    assert.strictEqual(
      htmlToText("<table><tr><td>a</td><td>1</td></tr><tr><td>b</td><td>2</td></tr></table>"),
      "a 1\nb 2"
    )
  })

  it("survives broken markup", () => {
    assert.strictEqual(htmlToText("1 < 2 and <b>bold"), "1 < 2 and bold")
    assert.strictEqual(htmlToText("<a href=\"https://x.example\">never closed"), "never closed")
    assert.strictEqual(htmlToText("<p title=\"a > b\">attribute with &gt;</p>"), "attribute with >")
    assert.strictEqual(htmlToText(""), "")
  })
})

describe("ZendeskExport.commentText", () => {
  it("prefers Zendesk's plain text when it says the same as the HTML", () => {
    assert.strictEqual(
      commentText({ plain_body: "Hello,\nthanks", body: "ignored", html_body: "<p>Hello,</p><p>thanks</p>" }),
      "Hello,\nthanks"
    )
    assert.strictEqual(commentText({ body: "only body" }), "only body")
    assert.strictEqual(commentText({ body: "body", html_body: "  " }), "body")
  })

  it("takes the HTML rendering when the plain text lost something (a link's target)", () => {
    assert.strictEqual(
      commentText({
        plain_body: "Read the guide",
        html_body: "<p>Read <a href=\"https://help.example.com/guide\">the guide</a></p>"
      }),
      "Read the guide (https://help.example.com/guide)"
    )
    assert.strictEqual(commentText({ html_body: "<p>only <i>HTML</i></p>" }), "only HTML")
    assert.strictEqual(commentText({}), "")
  })
})
