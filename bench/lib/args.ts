/**
 * Command-line flags of the benchmark scripts: `--name value` pairs, with defaults.
 */
const valueOf = (argv: ReadonlyArray<string>, name: string): string | undefined => {
  const index = argv.indexOf(`--${name}`)
  return index === -1 ? undefined : argv[index + 1]
}

/** A numeric flag, or the fallback when it is absent or not a number. */
export const numberFlag = (name: string, fallback: number, argv: ReadonlyArray<string> = process.argv): number => {
  const value = valueOf(argv, name)
  const parsed = value === undefined ? Number.NaN : Number(value)
  return Number.isFinite(parsed) ? parsed : fallback
}

/** A text flag, or the fallback. */
export const stringFlag = (name: string, fallback: string, argv: ReadonlyArray<string> = process.argv): string =>
  valueOf(argv, name) ?? fallback

/** A text flag that may be absent. */
export const optionalFlag = (name: string, argv: ReadonlyArray<string> = process.argv): string | undefined =>
  valueOf(argv, name)

/** Whether `--scenarios a,b` selects this scenario (all are selected without the flag). */
export const scenarioSelected = (name: string, argv: ReadonlyArray<string> = process.argv): boolean => {
  const list = valueOf(argv, "scenarios")
  return list === undefined || list.split(",").map((item) => item.trim()).includes(name)
}
