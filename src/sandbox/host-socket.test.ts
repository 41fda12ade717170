import { mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { containerSocketPath, removeSocketFile } from './host-socket.js'

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

describe('removeSocketFile', () => {
  it('removes a socket or a link, and leaves anything else (or nothing) alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ar-sock-'))
    try {
      const socket = join(dir, 'container.sock')
      const server = createServer()
      await new Promise<void>((resolve) => server.listen(socket, resolve))
      // A server killed outright leaves its socket file behind; closing would remove it.
      server.unref()
      const link = join(dir, 'link.sock')
      symlinkSync(socket, link)
      const file = join(dir, 'plain.sock')
      writeFileSync(file, 'not a socket')
      removeSocketFile(link)
      removeSocketFile(socket)
      removeSocketFile(file)
      removeSocketFile(join(dir, 'absent.sock'))
      expect(readdirSync(dir)).toEqual(['plain.sock'])
      server.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
