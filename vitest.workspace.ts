/** The vitest projects of this workspace: one per package. */
export default ["packages/*"]
