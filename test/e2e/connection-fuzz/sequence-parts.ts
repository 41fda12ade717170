/**
 * Pieces shared by the generated WebSocket and HTTP sequences of the connection fuzz suite. Sequences are plain
 * data (sizes, not 2 MB strings; `<c*N>` in text for N times c) so a failing one prints short enough to read
 * and replay.
 */
import fc from 'fast-check'

/** `<c*N>` in generated text stands for N times c. */
export function expand(text: string): string {
  return text.replace(/<(.)\*(\d{1,6})>/g, (_, c: string, n: string) => c.repeat(Number(n)))
}

/** `arbitrary`'s value in about one case of `oneIn`, undefined otherwise. */
export function rarely<T>(arbitrary: fc.Arbitrary<T>, oneIn = 6): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: oneIn - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary })
}

/** How a sequence ends: the client finishes (and waits for the server to close), destroys, or resets. */
export type Ending = 'end' | 'destroy' | 'reset'
export const ending = fc.constantFrom<Ending>('end', 'destroy', 'reset')
