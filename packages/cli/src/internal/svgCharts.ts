/** Charts as inline SVG text: stacked bars over time, with an optional horizontal limit line. Pure. */

/** Text safe inside HTML and SVG, in element content and in quoted attributes. */
export const escape = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(
    /'/g,
    "&#39;"
  )

/** One stacked layer of a bar chart. */
export interface Series {
  readonly label: string
  readonly color: string
  readonly values: ReadonlyArray<number>
}

/** A bar chart's data and labels. */
export interface BarChart {
  readonly id: string
  readonly title: string
  readonly series: ReadonlyArray<Series>
  /** The time at the start of each bar, in seconds from the run's start. */
  readonly startsAtSeconds: ReadonlyArray<number>
  readonly unit: string
  /** Horizontal lines, e.g. the API's rate limit and the run's own cap. */
  readonly limits?: ReadonlyArray<{ readonly value: number; readonly label: string; readonly kind?: "cap" }> | undefined
  /** Spans of time drawn behind the bars, labelled (a migration's phases); seconds from the run's start. */
  readonly bands?: ReadonlyArray<Band> | undefined
  /** The time the bars cover, in seconds (where the bands are placed). */
  readonly spanSeconds?: number | undefined
}

/** A labelled span of time. */
export interface Band {
  readonly label: string
  readonly startSeconds: number
  readonly endSeconds: number
}

const width = 760
const height = 220
const left = 56
const right = 12
const top = 12
const bottom = 28

const niceMax = (value: number) => {
  if (value <= 0) return 1
  const magnitude = 10 ** Math.floor(Math.log10(value))
  const steps = [1, 2, 2.5, 5, 10]
  return (steps.find((step) => step * magnitude >= value) ?? 10) * magnitude
}

const number = (value: number) =>
  Number.isInteger(value) ? value.toLocaleString("en-US") : value.toLocaleString("en-US", { maximumFractionDigits: 2 })

const clock = (seconds: number) => {
  const whole = Math.round(seconds)
  const minutes = Math.floor(whole / 60)
  return minutes >= 60
    ? `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}`
    : `${minutes}:${String(whole % 60).padStart(2, "0")}`
}

/** The bands behind the bars: a shaded span per band, its label at the top. */
const bandsOf = (chart: BarChart, plotWidth: number): Array<string> => {
  const span = chart.spanSeconds ?? 0
  if (chart.bands === undefined || span <= 0) return []
  const x = (seconds: number) => left + (Math.min(Math.max(seconds, 0), span) / span) * plotWidth
  return chart.bands.flatMap((band, index) => {
    const from = x(band.startSeconds)
    const to = Math.max(from + 1, x(band.endSeconds))
    return [
      `<rect x="${from.toFixed(2)}" y="${top}" width="${(to - from).toFixed(2)}" height="${
        height - top - bottom
      }" class="band band-${index % 2}" data-band="${escape(band.label)}"><title>${
        escape(`${band.label}: ${clock(band.startSeconds)}–${clock(band.endSeconds)}`)
      }</title></rect>`,
      // A label wider than its band is left to the band's tooltip.
      ...(to - from < band.label.length * 6 + 6
        ? []
        : [`<text x="${(from + 3).toFixed(2)}" y="${top + 10}" class="band-label">${escape(band.label)}</text>`])
    ]
  })
}

/** The SVG of a stacked bar chart, with axes, a legend and a tooltip (`<title>`) on every bar. */
export const barChart = (chart: BarChart): string => {
  const bars = chart.startsAtSeconds.length
  const totals = chart.startsAtSeconds.map((_, index) =>
    chart.series.reduce((sum, series) => sum + (series.values[index] ?? 0), 0)
  )
  const limits = chart.limits ?? []
  const max = niceMax(Math.max(0, ...totals, ...limits.map((limit) => limit.value)))
  const plotWidth = width - left - right
  const plotHeight = height - top - bottom
  const step = bars === 0 ? plotWidth : plotWidth / bars
  const y = (value: number) => top + plotHeight - (value / max) * plotHeight
  const parts: Array<string> = bandsOf(chart, plotWidth)
  for (let tick = 0; tick <= 4; tick++) {
    const value = (max / 4) * tick
    parts.push(
      `<line x1="${left}" x2="${width - right}" y1="${y(value)}" y2="${y(value)}" class="grid"/>`,
      `<text x="${left - 6}" y="${y(value) + 4}" text-anchor="end">${number(value)}</text>`
    )
  }
  chart.startsAtSeconds.forEach((start, index) => {
    let base = 0
    const x = left + index * step
    for (const series of chart.series) {
      const value = series.values[index] ?? 0
      if (value <= 0) continue
      parts.push(
        `<rect x="${x.toFixed(2)}" y="${y(base + value).toFixed(2)}" width="${
          Math.max(0.5, step * 0.9).toFixed(2)
        }" height="${(y(base) - y(base + value)).toFixed(2)}" fill="${series.color}"><title>${
          escape(`${clock(start)} · ${series.label}: ${number(value)} ${chart.unit}`)
        }</title></rect>`
      )
      base += value
    }
  })
  const labelEvery = Math.max(1, Math.ceil(bars / 8))
  chart.startsAtSeconds.forEach((start, index) => {
    if (index % labelEvery !== 0) return
    parts.push(`<text x="${left + index * step}" y="${height - 8}">${clock(start)}</text>`)
  })
  for (const limit of limits) {
    const at = y(limit.value)
    const kind = limit.kind === "cap" ? "cap" : "limit"
    parts.push(
      `<line x1="${left}" x2="${width - right}" y1="${at}" y2="${at}" class="${kind}"/>`,
      `<text x="${limit.kind === "cap" ? left + 4 : width - right - 4}" y="${
        at - 4 < top + 10 ? at + 12 : at - 4
      }" text-anchor="${limit.kind === "cap" ? "start" : "end"}" class="${kind}-label">${escape(limit.label)}</text>`
    )
  }
  const legend = chart.series.map((series) =>
    `<span class="key"><i style="background:${series.color}"></i>${escape(series.label)}</span>`
  ).join("")
  return `<figure id="${chart.id}"><figcaption>${escape(chart.title)}</figcaption>` +
    `<svg viewBox="0 0 ${width} ${height}" role="img" aria-label="${escape(chart.title)}">` +
    `<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotHeight}" class="axis"/>` +
    `${parts.join("")}</svg><div class="legend">${legend}</div></figure>`
}
