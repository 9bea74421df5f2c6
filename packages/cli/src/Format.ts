/**
 * How numbers, durations and tables are written for people. Pure.
 *
 * @since 0.1.0
 */

/** `12,345`. @since 0.1.0 */
export const count = (value: number): string => Math.round(value).toLocaleString("en-US")

/** `0.4s`, `12s`, `3m 05s`, `2h 04m`. @since 0.1.0 */
export const duration = (millis: number): string => {
  const safe = Math.max(0, millis)
  if (safe < 10_000) return `${(safe / 1000).toFixed(1)}s`
  const seconds = Math.round(safe / 1000)
  if (seconds < 60) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, "0")}s`
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, "0")}m`
}

/** `93.4 kB`, `1.2 MB`. @since 0.1.0 */
export const bytes = (value: number): string =>
  value < 1000
    ? `${value} B`
    : value < 1_000_000
    ? `${(value / 1000).toFixed(1)} kB`
    : `${(value / 1_000_000).toFixed(1)} MB`

/**
 * Rows as aligned columns, two spaces apart. By default the first column is left-aligned and the others
 * right-aligned (labels and numbers); `align` sets each column.
 *
 * @since 0.1.0
 */
export const table = (
  rows: ReadonlyArray<ReadonlyArray<string>>,
  options: { readonly indent?: string; readonly align?: ReadonlyArray<"left" | "right"> } = {}
): string => {
  const widths: Array<number> = []
  for (const row of rows) {
    row.forEach((cell, column) => {
      widths[column] = Math.max(widths[column] ?? 0, cell.length)
    })
  }
  const alignOf = (column: number) => options.align?.[column] ?? (column === 0 ? "left" : "right")
  return rows.map((row) =>
    (options.indent ?? "  ") +
    row.map((cell, column) =>
      alignOf(column) === "left" ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0)
    ).join("  ").trimEnd()
  ).join("\n")
}

/** Cuts a line to `width` characters, marking the cut with `…`. @since 0.1.0 */
export const fit = (line: string, width: number): string =>
  width <= 1 || line.length <= width ? line : `${line.slice(0, width - 1)}…`
