/**
 * A small deterministic PRNG (mulberry32): the same seed always yields the same sequence, which is what makes a
 * fault profile — and generated test data — reproducible. Not for anything that needs real randomness.
 *
 * @since 0.1.0
 */

/**
 * A generator of numbers in [0, 1) for `seed`.
 *
 * @since 0.1.0
 */
export const make = (seed: number): () => number => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
