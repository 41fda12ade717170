import { describe, expect, it } from 'vitest'
import { formatByteSize, parseByteSize } from './byte-size.js'

describe('byte sizes', () => {
  it('parses binary units with or without a B/iB suffix, and bare bytes', () => {
    expect(parseByteSize('2g')).toBe(2 * 1024 ** 3)
    expect(parseByteSize('512M')).toBe(512 * 1024 ** 2)
    expect(parseByteSize('1.5GiB')).toBe(1.5 * 1024 ** 3)
    expect(parseByteSize('100kb')).toBe(102_400)
    expect(parseByteSize('4096')).toBe(4096)
  })

  it('rejects what is not a size', () => {
    for (const text of ['', 'lots', '2x', '-1g', 'g']) expect(parseByteSize(text)).toBeUndefined()
  })

  it('formats sizes the way error messages show them', () => {
    expect(formatByteSize(2 * 1024 ** 3)).toBe('2 GiB')
    expect(formatByteSize(256 * 1024 ** 2)).toBe('256 MiB')
    expect(formatByteSize(1.5 * 1024 ** 3)).toBe('1.5 GiB')
    expect(formatByteSize(12)).toBe('12 bytes')
  })
})
