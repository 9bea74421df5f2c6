/**
 * Standard input, for `kustomer-bulk import -`: read here, in the command, with `NodeStream.stdin`; the library
 * takes any stream of bytes. When the import needs the bytes twice (the check of a JSON or JSON Lines input's
 * structure before the first request, a journal, or assigned externalIds, which need the input's hash before the
 * first record), `DurableImport` copies them to a spool file in the system's temporary directory (`$TMPDIR`, else
 * `/tmp`: `kustomer-import-*`), removed when the import ends, however it ends.
 *
 * @since 0.1.0
 */
import * as NodeStream from "@effect/platform-node/NodeStream"
import type * as Stream from "effect/Stream"

/**
 * The bytes of the process's standard input.
 *
 * @since 0.1.0
 */
export const bytes: Stream.Stream<Uint8Array> = NodeStream.stdin
