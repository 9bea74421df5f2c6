/** The vitest projects of this workspace: one per package, the examples, and the benchmarks' smoke runs. */
export default ["packages/*", "examples", "bench"]
