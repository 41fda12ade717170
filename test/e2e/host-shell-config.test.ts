/**
 * `agent-router start` as its own process, on a host whose shell start-up files print a marker and write a
 * file, started with a descriptor left open (so a bwrap sandbox start closes it on the host side first): turns
 * in bwrap sandboxes (new and parked) and in plain processes (SANDBOX=none), with Claude Code running a shell
 * command in each, never run the host user's shell configuration.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { packageRoot } from '../../src/sandbox/drivers/bwrap/args.js'
import { probeBwrap } from '../../src/sandbox/drivers/bwrap/index.js'
import { ensureContainerBuilt } from '../fixtures/ensure-built.js'
import { BASHRC_MARKER, trappedHost } from '../fixtures/host-shell-config.js'
import {
  endsWithToolResult,
  isAgentRequest,
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../fixtures/scripted-model-server.js'
import { tempDir, writeGroqRouterConfig } from './helpers.js'

const bwrapProblem = probeBwrap()

function trappedServerSuite(sandbox: 'bwrap' | 'none') {
  const dir = tempDir(`ar-e2e-shellrc-${sandbox}-`)
  let scripted: ScriptedModelServer
  let server: ChildProcess
  let url = ''
  let output = ''

  beforeAll(async () => {
    ensureContainerBuilt()
    scripted = await startScriptedModelServer({
      respond: (request) => {
        if (!isAgentRequest(request) || endsWithToolResult(request)) return { text: 'answered' }
        return {
          toolCalls: [{ name: 'Bash', arguments: { command: 'echo ran-a-command', description: 'Echo' } }],
        }
      },
    })
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
        SANDBOX: sandbox,
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

  it('runs turns and their shell commands without sourcing the host user’s shell start-up files', async () => {
    for (const sessionId of ['first', 'second', 'third']) {
      const res = await fetch(`${url}/agent/message`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sessionId, message: 'run it', model: 'groq/openai/gpt-oss-120b' }),
      })
      const body = await res.json()
      expect(body, JSON.stringify(body)).toMatchObject({ result: 'answered' })
      const events = (await (await fetch(`${url}/agent/sessions/${sessionId}/events`)).json()) as {
        events: { type: string; data?: { isError?: boolean } }[]
      }
      expect(events.events.find((e) => e.type === 'tool_result')?.data).toMatchObject({ isError: false })
    }
    expect(output).not.toContain(BASHRC_MARKER)
    expect(existsSync(join(dir.path, 'bashrc-ran'))).toBe(false)
  }, 90_000)
}

describe.skipIf(bwrapProblem !== undefined)('bwrap sandboxes on a host with shell start-up files', () => {
  trappedServerSuite('bwrap')
})

describe('plain-process sandboxes (SANDBOX=none) on a host with shell start-up files', () => {
  trappedServerSuite('none')
})
