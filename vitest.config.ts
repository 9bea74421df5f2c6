import { defineConfig } from "vitest/config"
import projects from "./vitest.workspace.js"

/**
 * `pnpm test`: the projects of `vitest.workspace.ts`. The long runs are `pnpm test:soak` (`vitest.soak.config.ts`).
 */
export default defineConfig({
  test: { projects }
})
