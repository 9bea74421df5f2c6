/**
 * The layout every page of the HTML report shares: its inline style sheet, the page around the sections (title,
 * heading, one line of facts under it) and the boxes of totals at its top. Pure: HTML text.
 */
import * as Format from "../Format.js"
import { escape } from "./svgCharts.js"

const style = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
main{max-width:820px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.meta{color:#5b6270;margin:0 0 16px}.status-finished{color:#2e9d5b}.status-failed,.status-interrupted{color:#d64545}
dl.totals{display:grid;grid-template-columns:repeat(4,1fr);gap:8px;margin:0}
dl.totals div{background:#fff;border:1px solid #e1e4ea;border-radius:6px;padding:8px 10px}
dt{color:#5b6270;font-size:12px}dd{margin:0;font-size:20px;font-weight:600}
figure{margin:12px 0;background:#fff;border:1px solid #e1e4ea;border-radius:6px;padding:10px}
figcaption{font-weight:600;margin-bottom:4px}svg{width:100%;height:auto;font-size:11px;fill:#5b6270}
.grid{stroke:#eceef2}.axis{stroke:#9aa0ab}.limit{stroke:#d64545;stroke-dasharray:6 4}.limit-label{fill:#d64545}
.band-0{fill:#eef2f8}.band-1{fill:#e4eaf3}.band-label{fill:#5b6270;font-size:10px}
.cap{stroke:#b55bc4;stroke-dasharray:2 3}.cap-label{fill:#b55bc4}
.legend{display:flex;gap:14px;font-size:12px;color:#5b6270}.key i{display:inline-block;width:10px;height:10px;margin-right:4px}
table{border-collapse:collapse;width:100%;background:#fff}th,td{border:1px solid #e1e4ea;padding:4px 8px;text-align:right}
th:first-child,td:first-child,td.text,th.text{text-align:left}td.text{font-size:13px}.note{color:#5b6270;font-size:13px}
`

/** A whole page: `title` (text, escaped here) as its title and heading, then `body` (HTML). */
export const page = (title: string, body: string): string =>
  `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escape(title)}</title><style>${style}</style></head>
<body><main>
<h1>${escape(title)}</h1>
${body}
</main></body></html>
`

/** The boxes of totals: per total its key (`data-total`), its label and its count. */
export const totals = (cells: ReadonlyArray<readonly [key: string, label: string, value: number]>): string =>
  `<dl class="totals">${
    cells.map(([key, label, value]) =>
      `<div><dt>${escape(label)}</dt><dd data-total="${escape(key)}">${Format.count(value)}</dd></div>`
    ).join("")
  }</dl>`
