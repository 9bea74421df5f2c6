/** The vitest projects of this workspace: every package, and the examples. */
export default ["packages/*", "examples"]
