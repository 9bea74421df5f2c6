// `pnpm cli:link [--prefix DIR] [--remove]`: puts `kustomer-bulk` on the PATH from this checkout, as `npm link`
// would — a symbolic link `<prefix>/bin/kustomer-bulk` to the launcher `bin/kustomer-bulk.mjs`, which starts the
// built CLI (`pnpm build`) of this checkout. `npm link` itself cannot be used: it would install the package's
// dependencies with npm over pnpm's `node_modules`, and the workspace packages it depends on are not on the registry.
//
// The prefix is npm's global one (`npm prefix --global`: where `npm install --global` puts commands, already on the
// PATH of most set-ups), or `--prefix DIR`. The link follows the checkout: after a pull, `pnpm build` updates the
// command. `--remove` takes the link away (only a link to this checkout's launcher). POSIX systems only.
/* global console, process, URL */
import { execFileSync } from "node:child_process"
import { existsSync, lstatSync, mkdirSync, readlinkSync, symlinkSync, unlinkSync } from "node:fs"
import { delimiter, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const launcher = fileURLToPath(new URL("../bin/kustomer-bulk.mjs", import.meta.url))
const built = ["../dist/kustomer-bulk.mjs", "../dist/bin.js"].some((file) =>
  existsSync(fileURLToPath(new URL(file, import.meta.url)))
)

const fail = (message) => {
  console.error(`cli:link: ${message}`)
  process.exit(1)
}

const args = process.argv.slice(2)
const prefixAt = args.indexOf("--prefix")
const unknown = args.filter((arg, index) =>
  arg !== "--remove" && arg !== "--prefix" && (prefixAt === -1 || index !== prefixAt + 1)
)
if (unknown.length > 0 || (prefixAt !== -1 && args[prefixAt + 1] === undefined)) {
  fail(
    `usage: pnpm cli:link [--prefix DIR] [--remove]${
      unknown.length > 0 ? ` (not understood: ${unknown.join(" ")})` : ""
    }`
  )
}
if (process.platform === "win32") {
  fail("links are made on POSIX systems only; on Windows, run `pnpm kustomer-bulk` from the checkout")
}

/**
 * npm's global prefix as npm itself finds it, without the `npm_config_*` variables pnpm sets for its scripts (under
 * `pnpm -C DIR`, `npm_config_prefix` is DIR). A user's own setting, `NPM_CONFIG_PREFIX` or `.npmrc`, still counts.
 */
const npmGlobalPrefix = () => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("npm_config_")))
  return execFileSync("npm", ["prefix", "--global"], { encoding: "utf8", env }).trim()
}

const prefix = prefixAt === -1 ? npmGlobalPrefix() : resolve(args[prefixAt + 1])
const binDir = join(prefix, "bin")
const link = join(binDir, "kustomer-bulk")

/** What is at the link's path: nothing, this checkout's link, or something else (described). */
const present = () => {
  let stat
  try {
    stat = lstatSync(link)
  } catch {
    return { kind: "none" }
  }
  if (!stat.isSymbolicLink()) return { kind: "other", what: "a file" }
  const target = resolve(binDir, readlinkSync(link))
  return target === launcher ? { kind: "ours" } : { kind: "other", what: `a link to ${target}` }
}

const found = present()
if (args.includes("--remove")) {
  if (found.kind === "other") fail(`${link} is ${found.what}, not this checkout's kustomer-bulk: left as it is`)
  if (found.kind === "ours") unlinkSync(link)
  console.log(found.kind === "ours" ? `removed ${link}` : `no kustomer-bulk link in ${binDir}`)
  process.exit(0)
}

if (!built) fail("the CLI is not built: run `pnpm build` first")
if (found.kind === "other") {
  fail(`${link} is ${found.what}: remove it first (another kustomer-bulk is installed there?)`)
}
if (found.kind === "none") {
  mkdirSync(binDir, { recursive: true })
  symlinkSync(launcher, link)
}
const version = execFileSync(link, ["--version"], { encoding: "utf8" }).trim()
console.log(`${link} → ${launcher} (kustomer-bulk ${version})`)
const onPath = (process.env.PATH ?? "").split(delimiter).some((dir) => dir !== "" && resolve(dir) === binDir)
if (!onPath) console.log(`${binDir} is not on your PATH; add it, e.g.: export PATH="${binDir}:$PATH"`)
