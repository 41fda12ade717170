import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { indexOf, lastIndexOf, needle } from './byte-search.js'

const encoder = new TextEncoder()

/** Every position tried in turn: what the anchored search must agree with. */
function naiveIndexOf(text: Uint8Array, pattern: Uint8Array, from: number): number {
  for (let at = from; at + pattern.length <= text.length; at++)
    if (pattern.every((b, i) => text[at + i] === b)) return at
  return -1
}

function naiveLastIndexOf(text: Uint8Array, pattern: Uint8Array, from: number): number {
  for (let at = Math.min(from, text.length - pattern.length); at >= 0; at--)
    if (pattern.every((b, i) => text[at + i] === b)) return at
  return -1
}

// Texts from the patterns and pieces of them, so that whole, partial and overlapping matches are common.
const piece = fc.constantFrom('"usage"', '"usa', 'ge"', 'g', '"', '\n', 'aga', 'a', 'x')
const text = fc.array(piece, { maxLength: 12 }).map((pieces) => pieces.join(''))
const needles = [needle('"usage"', 'g'), needle('\n\n', '\n'), needle('"usage"', '"'), needle('aga', 'a')]

describe('indexOf and lastIndexOf', () => {
  it('find what a search at every position finds, from any start', () => {
    fc.assert(
      fc.property(text, fc.nat(90), fc.constantFrom(...needles), (t, from, n) => {
        const bytes = encoder.encode(t)
        expect(indexOf(bytes, n, from)).toBe(naiveIndexOf(bytes, n.bytes, from))
        expect(indexOf(bytes, n)).toBe(naiveIndexOf(bytes, n.bytes, 0))
        expect(lastIndexOf(bytes, n, from)).toBe(naiveLastIndexOf(bytes, n.bytes, from))
        expect(lastIndexOf(bytes, n)).toBe(naiveLastIndexOf(bytes, n.bytes, bytes.length))
      }),
      { numRuns: 3000 },
    )
  })
})
