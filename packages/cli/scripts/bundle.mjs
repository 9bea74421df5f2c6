// Bundles the built CLI (`dist/bin.js` and everything it imports) into one file, `dist/kustomer-bulk.mjs`, which
// the launcher starts: Node then reads one module instead of several hundred, so a command starts in a fraction of
// the time (docs/benchmarks.md, "Start-up"). `better-sqlite3` stays outside: it loads a native addon from its own
// folder. Run by `pnpm build` after the TypeScript build.
/* global console, process, URL */
import { build } from "esbuild"
import { fileURLToPath } from "node:url"

const packageDir = fileURLToPath(new URL("..", import.meta.url))

await build({
  absWorkingDir: packageDir,
  entryPoints: ["dist/bin.js"],
  outfile: "dist/kustomer-bulk.mjs",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  external: ["better-sqlite3"],
  // CommonJS dependencies bundled into an ES module still call `require` for Node's built-ins.
  banner: {
    js:
      "import { createRequire as __createRequire } from \"node:module\"; const require = __createRequire(import.meta.url);"
  },
  logLevel: "warning",
  legalComments: "none",
  // Less to parse at every start; identifiers keep their names, so stack traces stay readable.
  minifyWhitespace: true,
  minifySyntax: true
}).catch((error) => {
  console.error(error)
  process.exitCode = 1
})
