// Lint and format in one pass, as the Effect repository does: typescript-eslint's recommended rules plus
// `@effect/dprint`, which formats through dprint (`pnpm format` applies it, `pnpm lint` checks it).
import * as effectEslint from "@effect/eslint-plugin"
import js from "@eslint/js"
import tseslint from "typescript-eslint"

// The package graph (docs/architecture.md): what each package's sources may not import. A package is named by its
// specifier and by a relative path into its folder; `internal/` modules are private to their package everywhere.
const packageNames = ["domain", "client", "journal", "migration", "simulator", "cli"]
const importsOf = (
  name
) => [`@effect-kustomer/${name}`, `@effect-kustomer/${name}/*`, `**/packages/${name}/**`, `../../${name}/**`]
const forbid = (files, names, why) => ({
  files,
  rules: {
    "no-restricted-imports": ["error", {
      patterns: [
        { group: ["@effect-kustomer/*/internal/*"], message: "internal modules are private to their package" },
        ...names.map((name) => ({ group: importsOf(name), message: `${why}: not @effect-kustomer/${name}` }))
      ]
    }]
  }
})
const others = (...allowed) => packageNames.filter((name) => !allowed.includes(name))

export default tseslint.config(
  { ignores: ["**/dist", "**/build", "**/node_modules", "**/.tsbuildinfo", "**/*.md", "packages/*/docs"] },
  js.configs.recommended,
  tseslint.configs.recommended,
  ...effectEslint.configs.dprint,
  {
    files: ["**/*.ts", "**/*.mjs"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module" },
    rules: {
      "no-fallthrough": "off",
      "no-irregular-whitespace": "off",
      "object-shorthand": "error",
      "prefer-destructuring": "off",
      "@typescript-eslint/array-type": ["error", { default: "generic", readonly: "generic" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-namespace": "off",
      "@typescript-eslint/no-empty-object-type": "off",
      "@effect/dprint": ["error", {
        config: {
          indentWidth: 2,
          lineWidth: 120,
          semiColons: "asi",
          quoteStyle: "alwaysDouble",
          trailingCommas: "never",
          operatorPosition: "maintain",
          "arrowFunction.useParentheses": "force"
        }
      }]
    }
  },
  forbid(["packages/domain/**"], others("domain"), "domain is the wire contract and imports no other package"),
  forbid(["packages/client/src/**"], others("client", "domain"), "client builds on domain only"),
  forbid(
    ["packages/client/test/**"],
    others("client", "domain", "simulator"),
    "client tests use domain and the simulator"
  ),
  forbid(["packages/journal/src/**"], others("journal", "client", "domain"), "journal builds on client and domain"),
  forbid(
    ["packages/journal/test/**"],
    others("journal", "client", "domain", "simulator"),
    "journal tests add the simulator"
  ),
  forbid(
    ["packages/migration/src/**"],
    others("migration", "journal", "client", "domain"),
    "the migration builds on journal, client and domain"
  ),
  forbid(
    ["packages/migration/test/**"],
    others("migration", "journal", "client", "domain", "simulator"),
    "migration tests add the simulator"
  ),
  forbid(
    ["packages/simulator/**"],
    others("simulator", "domain"),
    "the simulator is an independent implementation of the contract and imports domain only"
  ),
  forbid(
    ["examples/**"],
    ["journal", "migration", "cli"],
    "the examples show the library: client, domain and the simulator"
  ),
  forbid(
    ["bench/**"],
    ["migration", "cli"],
    "the benchmarks run the CLI as a process, not as a library (the migration benchmark runs kustomer-bulk migrate)"
  )
)
