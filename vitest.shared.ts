import { configDefaults, defineConfig } from "vitest/config"

/** Settings shared by every package's vitest project. */
export default defineConfig({
  // Resolve workspace packages to their TypeScript sources, so tests need no build step.
  ssr: { resolve: { conditions: ["source"] } },
  resolve: { conditions: ["source"] },
  test: {
    include: ["test/**/*.test.ts"],
    // Long end-to-end runs are `pnpm test:soak` (vitest.soak.config.ts), not part of `pnpm check`.
    exclude: [...configDefaults.exclude, "**/*.soak.test.ts"],
    // Upper bounds for a busy machine, not speed targets: no test asserts how fast it ran.
    testTimeout: 60_000,
    hookTimeout: 60_000
  }
})
