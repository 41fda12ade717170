/**
 * `agent-router start` as its own process, on a host whose shell start-up file prints a marker and writes a
 * file, started with a descriptor left open (so the sandbox start closes it on the host side first): turns in
 * bwrap sandboxes, on demand and parked, never run the host user's shell configuration.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { packageRoot } from '../../src/sandbox/drivers/bwrap/args.js'
import { probeBwrap } from '../../src/sandbox/drivers/bwrap/index.js'
import { ensureContainerBuilt } from '../fixtures/ensure-built.js'
import { BASHRC_MARKER, trappedHost } from '../fixtures/host-shell-config.js'
import { type ScriptedModelServer, startScriptedModelServer } from '../fixtures/scripted-model-server.js'
import { tempDir, writeGroqRouterConfig } from './helpers.js'

const bwrapProblem = probeBwrap()
const dir = tempDir('ar-e2e-shellrc-')
let scripted: ScriptedModelServer
let server: ChildProcess
let url = ''
let output = ''

describe.skipIf(bwrapProblem !== undefined)('the sandbox path on a host with a shell start-up file', () => {
  beforeAll(async () => {
    ensureContainerBuilt()
    scripted = await startScriptedModelServer({ respond: () => ({ text: 'answered' }) })
    const host = trappedHost(dir.path)
    const inherited = join(dir.path, 'inherited.txt')
    writeFileSync(inherited, 'inherited')
    const [command, ...args] = host.hostCommand(
      [process.execPath, join(packageRoot(), 'dist/cli.js'), 'start'],
      inherited,
    )
    server = spawn(command!, args, {
      cwd: dir.path,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: host.home,
        DATA_DIR: join(dir.path, 'data'),
        ROUTER_CONFIG: writeGroqRouterConfig(dir.path, scripted.openaiBaseUrl),
        GROQ_API_KEY: 'gsk_shellrc_test_key_5e0c',
        PORT: '0',
        SANDBOX: 'bwrap',
        LOG_LEVEL: 'debug',
      },
    })
    const collect = (chunk: Buffer) => {
      output += chunk.toString()
    }
    server.stdout!.on('data', collect)
    server.stderr!.on('data', collect)
    url = await new Promise<string>((resolve, reject) => {
      server.stdout!.on('data', () => {
        const found = /agent-router: open (\S+)/.exec(output)?.[1]
        if (found !== undefined) resolve(found)
      })
      server.once('exit', (code) => reject(new Error(`server exited (${code}): ${output}`)))
    })
  }, 60_000)

  afterAll(async () => {
    if (server?.exitCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve))
      server.kill('SIGTERM')
      await exited
    }
    await scripted?.close()
    dir.remove()
  })

  it('answers turns in new and parked sandboxes without sourcing the host user’s .bashrc', async () => {
    for (const sessionId of ['first', 'second', 'third']) {
      const res = await fetch(`${url}/agent/message`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sessionId, message: 'hello', model: 'groq/openai/gpt-oss-120b' }),
      })
      expect(await res.json()).toMatchObject({ result: 'answered' })
    }
    expect(output).not.toContain(BASHRC_MARKER)
    expect(existsSync(join(dir.path, 'bashrc-ran'))).toBe(false)
  }, 60_000)
})
