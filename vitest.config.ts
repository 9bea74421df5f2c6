import { defineConfig } from "vitest/config"

/**
 * `pnpm test`: one vitest project per package, the examples, and the benchmarks (each with its own
 * `vitest.config.ts` over `vitest.shared.ts`). The long runs are `pnpm test:soak` (`vitest.soak.config.ts`).
 */
export default defineConfig({
  test: { projects: ["packages/*", "examples", "bench"] }
})
