/**
 * What `wrangler deploy` would upload, checked offline: `wrangler deploy --dry-run` with a Docker CLI
 * stand-in that records the image build (no Docker engine here), the bindings it reports, the Dockerfile it
 * builds from, and the Worker bundle against its size budget (Cloudflare refuses Workers over 3 MB gzip on
 * the free plan; ours carries the web UI as assets, not in the bundle).
 */
import { execFile } from 'node:child_process'
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const run = promisify(execFile)
const HOST_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const REPO_ROOT = resolve(HOST_DIR, '../..')
const BUNDLE_BUDGET_BYTES = 3 * 1024 * 1024

let dir: string
let stdout: string
let calls: { args: string[]; stdin: string }[]

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cf-dry-run-'))
  const log = join(dir, 'docker-calls.jsonl')
  const docker = join(dir, 'docker')
  // Records each call with what it got on stdin (the Dockerfile, for `build -f -`), and succeeds.
  writeFileSync(
    docker,
    `#!${process.execPath}
const { appendFileSync, readFileSync } = require('node:fs')
const args = process.argv.slice(2)
const stdin = args.includes('-') ? readFileSync(0, 'utf8') : ''
appendFileSync(${JSON.stringify(log)}, JSON.stringify({ args, stdin }) + '\\n')
`,
  )
  chmodSync(docker, 0o755)
  const result = await run('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', join(dir, 'out')], {
    cwd: HOST_DIR,
    env: {
      ...process.env,
      WRANGLER_DOCKER_BIN: docker,
      WRANGLER_SEND_METRICS: 'false',
      CLOUDFLARE_API_TOKEN: '',
    },
    maxBuffer: 16 * 1024 * 1024,
  })
  stdout = result.stdout
  calls = readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { args: string[]; stdin: string })
}, 120_000)

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('wrangler deploy --dry-run', () => {
  it('binds the three Durable Objects, the workspaces bucket, the web UI assets and the configuration vars', () => {
    for (const binding of [
      /env\.AGENT \(ClaudeCodeAgent\)\s+Durable Object/,
      /env\.CONTAINER \(ClaudeCodeContainer\)\s+Durable Object/,
      /env\.DIRECTORY \(SessionDirectory\)\s+Durable Object/,
      /env\.WORKSPACES \(agent-router-workspaces\)\s+R2 Bucket/,
      /env\.WORKSPACE_ARCHIVE_LIMIT \("500MB"\)/,
      /env\.ASSETS\s+Assets/,
      /env\.SLEEP_AFTER \("10m"\)/,
      /env\.MAX_INSTANCES \("5"\)/,
    ])
      expect(stdout).toMatch(binding)
    expect(stdout).toMatch(/agent-router-claudecodecontainer \(.*hosts\/cloudflare\/Dockerfile\)/)
    // What only the tests and `npm run dev` give the Worker (their container runtime stand-ins) is not deployed.
    expect(stdout).not.toMatch(/CONTAINER_RUNTIME|CONTAINER_HOST/)
  })

  it('builds the container image for linux/amd64 from the Dockerfile, with the repository as context', () => {
    const build = calls.find((c) => c.args[0] === 'build')
    expect(build?.args).toEqual(expect.arrayContaining(['--platform', 'linux/amd64', '-f', '-']))
    expect(build?.args.at(-1)).toBe(REPO_ROOT)
    expect(build?.stdin).toBe(readFileSync(join(HOST_DIR, 'Dockerfile'), 'utf8'))
    expect(build?.stdin).toMatch(/^USER agent$/m)
  })

  it('bundles the Worker under the size budget', () => {
    const bundle = readFileSync(join(dir, 'out', 'index.js'))
    expect(gzipSync(bundle).length).toBeLessThan(BUNDLE_BUDGET_BYTES)
  })
})
