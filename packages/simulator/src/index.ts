/**
 * A local simulator of the Kustomer bulk API: API keys and roles, an org-wide rate limit, asynchronous bulk jobs
 * with batches, and seeded fault injection — served on a real socket or called in process.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as FaultProfile from "./FaultProfile.js"
/** @since 0.1.0 */
export * as Inspection from "./Inspection.js"
/** @since 0.1.0 */
export * as Prng from "./Prng.js"
/** @since 0.1.0 */
export * as Simulator from "./Simulator.js"
/** @since 0.1.0 */
export * as SimulatorClient from "./SimulatorClient.js"
/** @since 0.1.0 */
export * as SimulatorConfig from "./SimulatorConfig.js"
/** @since 0.1.0 */
export * as SimulatorServer from "./SimulatorServer.js"
