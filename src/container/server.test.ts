import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadContainerConfig } from '../config/config.js'
import { runContainerServer } from './server.js'

const dir = mkdtempSync(join(tmpdir(), 'container-server-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function getJson(socketPath: string, path: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    request({ socketPath, path }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => {
        text += c
      })
      res.on('end', () => resolve(JSON.parse(text)))
    })
      .on('error', reject)
      .end()
  })
}

/** Leaves a socket file nobody listens on, like a container that was killed. */
async function staleSocket(path: string): Promise<void> {
  const child = spawn(process.execPath, [
    '-e',
    `require('net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`,
  ])
  await new Promise((resolve) => child.stdout.once('data', resolve))
  child.kill('SIGKILL')
  await new Promise((resolve) => child.once('exit', resolve))
}

describe('runContainerServer', () => {
  it('listens on a unix socket, replacing a stale socket file, and removes it on close', async () => {
    const socketPath = join(dir, 'run', 'a.sock')
    const config = loadContainerConfig({ CONTAINER_SOCKET: socketPath, WORKSPACE_DIR: join(dir, 'ws') })
    const first = await runContainerServer(config)
    await first.close()
    expect(existsSync(socketPath)).toBe(false)

    await staleSocket(socketPath)
    expect(existsSync(socketPath)).toBe(true)
    const server = await runContainerServer(config)
    try {
      expect(server.address).toBe(`unix:${socketPath}`)
      expect(await getJson(socketPath, '/')).toMatchObject({
        status: 'healthy',
        service: 'claude-code-container',
      })
      await expect(runContainerServer(config)).rejects.toThrow(/already listens/)
    } finally {
      await server.close()
    }
  })

  it('refuses a socket path that is a regular file', async () => {
    const socketPath = join(dir, 'not-a-socket')
    writeFileSync(socketPath, 'x')
    const config = loadContainerConfig({ CONTAINER_SOCKET: socketPath, WORKSPACE_DIR: dir })
    await expect(runContainerServer(config)).rejects.toThrow(/is not a socket/)
  })

  it('listens on host:port when no socket is configured', async () => {
    const server = await runContainerServer(loadContainerConfig({ PORT: '0', WORKSPACE_DIR: dir }))
    try {
      expect(server.address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      const res = await fetch(`${server.address}/`)
      expect(await res.json()).toMatchObject({ status: 'healthy' })
    } finally {
      await server.close()
    }
  })
})
