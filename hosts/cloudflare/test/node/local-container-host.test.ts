/**
 * The local container runtime of `npm run dev` on its own: who may talk to it, what it refuses, and real
 * bwrap-sandboxed container servers started, reached, limited to max_instances and stopped with their disk.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { probeBwrap } from '../../../../src/sandbox/drivers/bwrap/index.js'
import { silentLogger } from '../../../../src/sandbox/types.js'
import { commandLine, descendantsOf } from '../../../../test/fixtures/process-tree.js'
import { createLocalContainerHost, type LocalContainerHost } from '../../dev/local-container-host.js'
import { RUNTIME_TOKEN_HEADER } from '../../dev/runtime-protocol.js'
import { CONTAINER_ID_HEADER, NO_INSTANCE, NOT_LISTENING } from '../stand-in-protocol.js'

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..')
const TOKEN = 'local-runtime-test-token-0123456789abcdef'
const FIRST = 'a'.repeat(64)
const SECOND = 'b'.repeat(64)

let host: LocalContainerHost
const stateDir = join(mkdtempSync(join(tmpdir(), 'ar-cf-local-runtime-')), 'state')

function ask(path: string, options: { id?: string; token?: string; body?: unknown; method?: string } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (options.token !== '') headers[RUNTIME_TOKEN_HEADER] = options.token ?? TOKEN
  if (options.id !== undefined) headers[CONTAINER_ID_HEADER] = options.id
  const method = options.method ?? (options.body === undefined ? 'GET' : 'POST')
  return host.fetch(
    new Request(`http://runtime${path}`, {
      method,
      headers,
      ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
    }),
  )
}

const bwrapProblem = probeBwrap()

beforeAll(async () => {
  if (bwrapProblem !== undefined) return
  host = await createLocalContainerHost({
    token: TOKEN,
    packageRoot: REPO_ROOT,
    stateDir,
    maxInstances: 1,
    workerUrl: () => 'http://127.0.0.1:9',
    logger: silentLogger,
  })
})

afterAll(async () => {
  await host?.close()
  rmSync(dirname(stateDir), { recursive: true, force: true })
})

// As the Node host's bwrap tests: a machine where bubblewrap cannot run (no user namespaces) cannot run this.
describe.skipIf(bwrapProblem !== undefined)(
  `local container runtime${bwrapProblem === undefined ? '' : ` (skipped: ${bwrapProblem})`}`,
  { timeout: 120_000 },
  () => {
    it('answers nobody without the run token', async () => {
      for (const token of ['', 'wrong']) {
        const res = await ask('/__control/start', { id: FIRST, token, body: {} })
        expect(res.status).toBe(401)
        expect(await res.text()).toContain(RUNTIME_TOKEN_HEADER)
      }
      expect(host.running()).toEqual([])
    })

    it('refuses a start with a bad container id or environment, saying what it wants', async () => {
      const badId = await ask('/__control/start', { id: '../etc', body: {} })
      expect(badId.status).toBe(400)
      expect(await badId.text()).toContain('64 hex digits')
      for (const body of ['not json', { 'bad name': 'x' }, { PATH: 1 }]) {
        const res = await ask('/__control/start', { id: FIRST, body })
        expect(res.status).toBe(400)
        expect(await res.text()).toContain('container environment')
      }
      expect(host.running()).toEqual([])
    })

    it('answers as an unbound port for a container that does not run', async () => {
      const res = await ask('/', { id: FIRST })
      expect(res.status).toBe(503)
      expect(await res.text()).toBe(NOT_LISTENING)
    })

    it('starts a real container server in bwrap, reaches it, and gives no second instance past max_instances', async () => {
      const started = await ask('/__control/start', { id: FIRST, body: { ANTHROPIC_MODEL: 'groq/m' } })
      expect(started.status).toBe(200)
      expect(host.running()).toEqual([FIRST])
      expect((await ask('/__control/alive', { id: FIRST, body: {} })).status).toBe(200)
      const health = await ask('/', { id: FIRST })
      expect(health.status).toBe(200)
      const debug = await (await ask('/debug', { id: FIRST })).text()
      // The container server inside the sandbox sees its workspace where the image has it.
      expect(debug).toContain('/workspace')
      const refused = await ask('/__control/start', { id: SECOND, body: {} })
      expect(refused.status).toBe(503)
      expect(await refused.text()).toBe(NO_INSTANCE)
    })

    it('takes a container whose server just died as ended, before its exit is noticed, and starts it afresh', async () => {
      const servers = descendantsOf(process.pid).filter((pid) =>
        /^\S*node .*\/opt\/agent-router\/dist\/container\/main\.js/.test(commandLine(pid)),
      )
      expect(servers).toHaveLength(1)
      process.kill(servers[0]!, 'SIGKILL')
      // No wait for the sandbox's exit: right away, nothing accepts on its socket any more.
      while (commandLine(servers[0]!) !== '') await new Promise((r) => setTimeout(r, 20))
      expect((await ask('/__control/alive', { id: FIRST, body: {} })).status).toBe(404)
      expect((await ask('/__control/start', { id: FIRST, body: {} })).status).toBe(200)
      expect((await ask('/', { id: FIRST })).status).toBe(200)
      expect((await ask('/__control/alive', { id: FIRST, body: {} })).status).toBe(200)
    })

    it('stops a container and, as on Cloudflare, its disk goes with it', async () => {
      const containers = join(stateDir, 'containers')
      expect(readdirSync(containers)).toHaveLength(1)
      expect((await ask('/__control/stop', { id: FIRST, body: {} })).status).toBe(200)
      expect(host.running()).toEqual([])
      expect(readdirSync(containers)).toEqual([])
      expect((await ask('/', { id: FIRST })).status).toBe(503)
      expect((await ask('/__control/alive', { id: FIRST, body: {} })).status).toBe(404)
      // The slot is free again.
      expect((await ask('/__control/start', { id: SECOND, body: {} })).status).toBe(200)
      await host.close()
      expect(existsSync(stateDir)).toBe(false)
    })
  },
)
