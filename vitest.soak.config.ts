import { configDefaults, defineConfig } from "vitest/config"
import shared from "./vitest.shared.js"

/**
 * `pnpm test:soak`: the long end-to-end runs (`*.soak.test.ts` — the full-size crash test, the benchmarks' smoke
 * runs), as one project of their own (so that the projects of `vitest.workspace.ts` do not run again). Each starts
 * several processes and keeps the CPU busy, so files run one at a time, in one worker, and the tests of a file one
 * after another.
 */
export default defineConfig({
  ...shared,
  test: {
    fileParallelism: false,
    projects: [{
      extends: true,
      test: {
        name: "soak",
        include: ["packages/*/test/**/*.soak.test.ts", "bench/test/**/*.soak.test.ts"],
        exclude: [...configDefaults.exclude],
        sequence: { concurrent: false },
        testTimeout: 300_000,
        hookTimeout: 60_000
      }
    }]
  }
})
