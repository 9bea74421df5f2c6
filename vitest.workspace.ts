/** The vitest projects of this workspace: one per package, and the examples. */
export default ["packages/*", "examples"]
