/**
 * Arrays that hold a stream's values for a while (a delivery's records, a group of items being filled), made so
 * that V8 never allocates them in its old generation.
 *
 * V8 watches each array or object literal in the code (its "allocation site"): when most of the values it made
 * outlive a young-generation collection, it makes that literal's values in the old generation from then on
 * (pretenuring). An array in the old generation that holds young values keeps them alive, through its slots'
 * entries in the remembered set, until the next full collection, even once the array itself is unreachable; so
 * every young collection promotes what such arrays held and all it references. For the import's stages, whose
 * arrays of a delivery's records and items do outlive a collection or two, that was every record of the input:
 * 9 full collections during a 300,000-record dry run instead of 1, and the dry run cost about 1.9 × a plain
 * `JSON.parse` + `JSON.stringify` loop instead of 1.4 (`pnpm bench cpu`; docs/benchmarks.md). An array made by
 * `Array.prototype.slice` has no allocation site, so V8 never pretenures it.
 */

const none: ReadonlyArray<never> = []

/** A new empty array that V8 allocates in its young generation, whatever became of arrays made before it. */
export const youngArray = <A>(): Array<A> => none.slice()
