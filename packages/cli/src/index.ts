/**
 * `kustomer-bulk`, the command-line importer, as modules: the commands, the progress display and summaries
 * (pure renderers), and the import path shared by `import` and `demo`.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as Cli from "./Cli.js"
/** @since 0.1.0 */
export * as Connection from "./Connection.js"
/** @since 0.1.0 */
export * as Demo from "./Demo.js"
/** @since 0.1.0 */
export * as DemoData from "./DemoData.js"
/** @since 0.1.0 */
export * as Failure from "./Failure.js"
/** @since 0.1.0 */
export * as Format from "./Format.js"
/** @since 0.1.0 */
export * as ImportRequest from "./ImportRequest.js"
/** @since 0.1.0 */
export * as ImportRunner from "./ImportRunner.js"
/** @since 0.1.0 */
export * as Job from "./Job.js"
/** @since 0.1.0 */
export * as JobReport from "./JobReport.js"
/** @since 0.1.0 */
export * as FlagSuggestion from "./FlagSuggestion.js"
/** @since 0.1.0 */
export * as JsonOutput from "./JsonOutput.js"
/** @since 0.1.0 */
export * as Mapping from "./Mapping.js"
/** @since 0.1.0 */
export * as Output from "./Output.js"
/** @since 0.1.0 */
export * as Progress from "./Progress.js"
/** @since 0.1.0 */
export * as ProgressReporter from "./ProgressReporter.js"
/** @since 0.1.0 */
export * as ResultsFile from "./ResultsFile.js"
/** @since 0.1.0 */
export * as Terminal from "./Terminal.js"
/** @since 0.1.0 */
export * as Simulate from "./Simulate.js"
/** @since 0.1.0 */
export * as Summary from "./Summary.js"
/** @since 0.1.0 */
export * as UndoRequest from "./UndoRequest.js"
/** @since 0.1.0 */
export * as UndoRunner from "./UndoRunner.js"
