import { tmpdir } from 'node:os'
import { describe, expect, it } from 'vitest'
import { containerSocketPath } from './socket-path.js'

describe('containerSocketPath', () => {
  it('puts the socket in the run dir', () => {
    expect(containerSocketPath('/data/sessions/abc/run')).toBe('/data/sessions/abc/run/container.sock')
  })

  it('falls back to a short stable path when the run dir is too deep for a unix socket', () => {
    const deep = `/data/${'x'.repeat(64)}/sessions/${'y'.repeat(64)}/run`
    const path = containerSocketPath(deep)
    expect(path.startsWith(tmpdir())).toBe(true)
    expect(Buffer.byteLength(path)).toBeLessThan(100)
    expect(containerSocketPath(deep)).toBe(path)
    expect(containerSocketPath(`${deep}2`)).not.toBe(path)
  })
})
