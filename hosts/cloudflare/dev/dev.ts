/**
 * `npm run dev`: the Cloudflare host on this machine. `wrangler dev` runs the Worker and its Durable Objects
 * in workerd (dev/worker.ts, the real entry on the container runtime stand-in), and a local container runtime
 * in this process (dev/local-container-host.ts) runs each session's container server, with the real Claude
 * Agent SDK, in a bwrap sandbox. Prints the URL once the Worker answers; Ctrl-C (SIGINT) or SIGTERM stops
 * wrangler and every sandbox and removes what this run made.
 *
 *   npm run dev -- [--port 8787] [more `wrangler dev` flags, e.g. --env-file my.vars --persist-to dir]
 *
 * The Worker's secrets come from `.dev.vars` as with any `wrangler dev` (or the `--env-file`s given);
 * SESSION_TOKEN_SECRET defaults to a random one per run.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAdaptorServer } from '@hono/node-server'
import ts from 'typescript'
import { probeBwrap } from '../../../src/sandbox/drivers/bwrap/index.js'
import { createLocalContainerHost, type LocalContainerHost } from './local-container-host.js'

export interface DevOptions {
  /** This package's folder (hosts/cloudflare). */
  hostDir: string
  /** The repository root (its `dist/` is the container server and the web UI). */
  repoRoot: string
  /** The wrangler executable (its bin script). */
  wranglerBin: string
  argv: string[]
}

const log = (message: string) => process.stderr.write(`[dev] ${message}\n`)

const logger = {
  info: (fields: Record<string, unknown>, message: string) => log(`${message} ${JSON.stringify(fields)}`),
  warn: (fields: Record<string, unknown>, message: string) => log(`${message} ${JSON.stringify(fields)}`),
  error: (fields: Record<string, unknown>, message: string) => log(`${message} ${JSON.stringify(fields)}`),
}

function fail(message: string): never {
  log(message)
  process.exit(1)
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0))
    })
  })
}

/** `--port N` for this script; every other argument goes to `wrangler dev`. */
function parseArgs(argv: string[]): { port: number | undefined; wranglerArgs: string[] } {
  const wranglerArgs: string[] = []
  let port: number | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const inline = /^--port=(.*)$/.exec(arg)
    const value = inline !== null ? inline[1] : arg === '--port' ? argv[++i] : undefined
    if (inline === null && arg !== '--port') {
      wranglerArgs.push(arg)
      continue
    }
    if (value === undefined || !/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 65535)
      fail(`--port takes a port number (1-65535), got ${value === undefined ? 'nothing' : `'${value}'`}`)
    port = Number(value)
  }
  return { port, wranglerArgs }
}

/**
 * wrangler.jsonc's `max_instances`, which the local runtime enforces as Cloudflare would. Read as JSONC with
 * TypeScript's parser: importing wrangler here would install its own SIGINT handler, which exits at once.
 */
function configuredMaxInstances(file: string): number {
  const { config, error } = ts.parseConfigFileTextToJson(file, readFileSync(file, 'utf8'))
  if (error !== undefined) fail(`${file}: ${ts.flattenDiagnosticMessageText(error.messageText, '\n')}`)
  const max = (config as { containers?: { max_instances?: unknown }[] }).containers?.[0]?.max_instances
  return typeof max === 'number' && Number.isInteger(max) && max > 0 ? max : 5
}

export async function runDev(options: DevOptions): Promise<void> {
  const { hostDir, repoRoot } = options
  const { port: askedPort, wranglerArgs } = parseArgs(options.argv)
  for (const built of ['dist/container/main.js', 'dist/ui/index.html'])
    if (!existsSync(join(repoRoot, built)))
      fail(`${built} is missing: run \`npm run build\` at the repository root first`)
  const problem = probeBwrap()
  if (problem !== undefined)
    fail(`the development mode runs each container in bubblewrap, which does not work here: ${problem}`)

  const maxInstances = configuredMaxInstances(join(hostDir, 'wrangler.jsonc'))
  const port = askedPort ?? 8787
  const workerUrl = `http://127.0.0.1:${port}`
  const stateDir = mkdtempSync(join(tmpdir(), 'ar-cf-dev-'))
  let host: LocalContainerHost | undefined
  let runtime: ReturnType<typeof createAdaptorServer> | undefined
  let wrangler: ChildProcess | undefined
  let stopping: Promise<void> | undefined

  const shutdown = (code: number) => {
    stopping ??= (async () => {
      log('stopping')
      if (wrangler !== undefined && wrangler.exitCode === null && wrangler.signalCode === null) {
        const exited = new Promise((resolve) => wrangler?.once('exit', resolve))
        wrangler.kill('SIGINT')
        const timer = setTimeout(() => wrangler?.kill('SIGKILL'), 10_000)
        await exited
        clearTimeout(timer)
      }
      await host?.close()
      await new Promise<void>((resolve) => {
        if (runtime === undefined) return resolve()
        runtime.close(() => resolve())
        ;(runtime as { closeAllConnections?: () => void }).closeAllConnections?.()
      })
      rmSync(stateDir, { recursive: true, force: true })
      process.exit(code)
    })()
    return stopping
  }
  process.on('SIGINT', () => void shutdown(0))
  process.on('SIGTERM', () => void shutdown(0))

  const runtimeToken = randomBytes(32).toString('hex')
  host = await createLocalContainerHost({
    token: runtimeToken,
    packageRoot: repoRoot,
    stateDir: join(stateDir, 'runtime'),
    maxInstances,
    workerUrl: () => workerUrl,
    logger,
  })
  const containers = host
  runtime = createAdaptorServer({ fetch: (request: Request) => containers.fetch(request) })
  const runtimePort = await freePort()
  await new Promise<void>((resolve, reject) => {
    runtime?.once('error', reject)
    runtime?.listen(runtimePort, '127.0.0.1', () => resolve())
  })

  // Secrets as files, never on a command line: defaults first, then the developer's, then what this run sets.
  const defaults = join(stateDir, 'defaults.env')
  writeFileSync(defaults, `SESSION_TOKEN_SECRET=${randomBytes(32).toString('hex')}\n`, { mode: 0o600 })
  const runtimeEnv = join(stateDir, 'runtime.env')
  writeFileSync(
    runtimeEnv,
    `CONTAINER_RUNTIME_URL=http://127.0.0.1:${runtimePort}\nCONTAINER_RUNTIME_TOKEN=${runtimeToken}\n`,
    { mode: 0o600 },
  )
  const givenEnvFiles = wranglerArgs.some((a) => a === '--env-file' || a.startsWith('--env-file='))
  const devVars = join(hostDir, '.dev.vars')
  const developerFiles = givenEnvFiles ? [] : existsSync(devVars) ? ['--env-file', devVars] : []
  const args = [
    options.wranglerBin,
    'dev',
    join(hostDir, 'dev/worker.ts'),
    '--config',
    join(hostDir, 'wrangler.jsonc'),
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--inspector-port',
    String(await freePort()),
    '--enable-containers=false',
    '--show-interactive-dev-session=false',
    '--env-file',
    defaults,
    ...developerFiles,
    ...wranglerArgs,
    '--env-file',
    runtimeEnv,
  ]
  wrangler = spawn(process.execPath, args, {
    cwd: hostDir,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  })
  wrangler.once('exit', (code, signal) => {
    if (stopping === undefined) {
      log(`wrangler dev ended (${signal ?? `exit ${code}`})`)
      void shutdown(code === 0 ? 0 : 1)
    }
  })
  // Ready once the Worker answers: then the URL, for a person and for scripts that wait for it.
  for (;;) {
    if (stopping !== undefined) return
    const up = await fetch(`${workerUrl}/health`).then(
      (res) => res.ok,
      () => false,
    )
    if (up) break
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  process.stdout.write(`\nagent-router (Cloudflare host, development mode) on ${workerUrl}\n`)
}
