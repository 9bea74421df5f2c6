import { defineConfig } from "vitest/config"
import shared from "./vitest.shared.js"

/**
 * `pnpm test:soak`: the long end-to-end runs (`*.soak.test.ts` — the full-size crash test, the benchmarks' smoke
 * runs). Each starts several processes and keeps the CPU busy, so files run one at a time, in one worker, and the
 * tests of a file one after another.
 */
export default defineConfig({
  ...shared,
  test: {
    include: ["packages/*/test/**/*.soak.test.ts", "bench/test/**/*.soak.test.ts"],
    fileParallelism: false,
    sequence: { concurrent: false },
    testTimeout: 300_000,
    hookTimeout: 60_000
  }
})
