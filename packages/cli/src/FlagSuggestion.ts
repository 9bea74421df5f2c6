/**
 * An unknown flag gets a suggestion: `@effect/cli` says "Received unknown argument: '--resuts'" and stops there;
 * this finds the command's flag closest to it (by `@effect/cli`'s own edit distance) to add "did you mean
 * --results?".
 *
 * @since 0.1.0
 */
import * as AutoCorrect from "@effect/cli/AutoCorrect"
import * as CliConfig from "@effect/cli/CliConfig"
import * as Options from "@effect/cli/Options"
import * as Option from "effect/Option"

/** Flags every command has (`@effect/cli`'s built-in options). */
const builtIn = ["--help", "--version", "--wizard", "--completions", "--log-level"]

const kebab = (key: string) => key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)

/**
 * The flags of a command's options record (`{ dryRun: Options.boolean("dry-run"), … }`: each key in kebab case
 * is its flag; positional arguments are skipped).
 *
 * @since 0.1.0
 */
export const flagsOf = (options: Readonly<Record<string, unknown>>): ReadonlyArray<string> => [
  ...Object.entries(options).flatMap(([key, value]) => (Options.isOptions(value) ? [`--${kebab(key)}`] : [])),
  ...builtIn
]

/** Farther than this, a suggestion would be a guess. */
const maxDistance = 3

/**
 * The known flag closest to `flag`, when one is near enough; `--flag=value` is compared by its name.
 *
 * @since 0.1.0
 */
export const closest = (flag: string, known: ReadonlyArray<string>): Option.Option<string> => {
  const name = flag.split("=")[0] ?? flag
  let best: Option.Option<{ readonly flag: string; readonly distance: number }> = Option.none()
  for (const candidate of known) {
    const distance = AutoCorrect.levensteinDistance(name, candidate, CliConfig.defaultConfig)
    const better = Option.match(best, { onNone: () => true, onSome: (current) => distance < current.distance })
    if (distance <= maxDistance && better) best = Option.some({ flag: candidate, distance })
  }
  return Option.map(best, (found) => found.flag)
}

/**
 * A line for each argument that looks like a flag and is not one of `known`: with the closest flag when there is
 * one.
 *
 * @since 0.1.0
 */
export const suggestions = (args: ReadonlyArray<string>, known: ReadonlyArray<string>): ReadonlyArray<string> =>
  args.filter((arg) => arg.startsWith("--") && arg !== "--" && !known.includes(arg.split("=")[0] ?? arg)).map((arg) =>
    Option.match(closest(arg, known), {
      onNone: () => `${arg} is not a flag of this command (--help lists them)`,
      onSome: (flag) => `${arg.split("=")[0]} is not a flag of this command; did you mean ${flag}?`
    })
  )
