import { defineConfig } from "vitest/config"
import projects from "./vitest.workspace.js"

/**
 * `pnpm test`: the projects of `vitest.workspace.ts`. The long runs are `pnpm test:soak` (`vitest.soak.config.ts`).
 */
export default defineConfig({
  test: {
    projects,
    // Most end-to-end files wait on real sockets and job polls rather than on the CPU: three files at once halve
    // the run on two cores. Every wait is bounded by the timeouts (vitest.shared.ts), never by speed.
    maxWorkers: 3,
    minWorkers: 1
  }
})
