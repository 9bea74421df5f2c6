/**
 * The workspace's vitest projects: one per package (each with its own `vitest.config.ts` over `vitest.shared.ts`),
 * the examples, and the benchmarks' smoke runs. `vitest.config.ts` runs them as `test.projects`.
 */
export default ["packages/*", "examples", "bench"]
