import { describe, expect, it } from 'vitest'
import { planLimits } from '../../limits.js'
import { buildBwrapInvocation, INSIDE, insidePath } from './args.js'

const spec = {
  sessionId: 's1',
  workspaceDir: '/data/sessions/s1/workspace',
  claudeDir: '/data/sessions/s1/claude',
  runDir: '/data/sessions/s1/run',
  env: { ANTHROPIC_BASE_URL: 'http://127.0.0.1:8787/llm', ANTHROPIC_AUTH_TOKEN: 'art_secret_token' },
}
const layout = {
  packageRoot: '/srv/agent-router',
  etcDir: '/data/run/sandbox/etc',
  routerSocket: '/data/run/router.sock',
}

describe('buildBwrapInvocation', () => {
  const { args, env } = buildBwrapInvocation(
    spec,
    [process.execPath, '/srv/agent-router/dist/container/main.js'],
    layout,
  )

  it('confines: new namespaces, no capabilities, dies with its parent, own session', () => {
    for (const flag of ['--unshare-all', '--die-with-parent', '--new-session']) expect(args).toContain(flag)
    expect(args.join(' ')).toContain('--cap-drop ALL')
  })

  it('binds the workspace and Claude dir read-write at fixed paths, the package read-only', () => {
    const text = args.join(' ')
    expect(text).toContain(`--bind ${spec.workspaceDir} ${INSIDE.workspace}`)
    expect(text).toContain(`--bind ${spec.claudeDir} ${INSIDE.claude}`)
    expect(text).toContain('--ro-bind /srv/agent-router/dist /opt/agent-router/dist')
    expect(text).not.toMatch(/--bind \/srv\/agent-router/)
    expect(text).not.toMatch(/--(ro-)?bind(-try)? \/(root|home|etc\/shadow)\b/)
  })

  it('runs the container from /opt/agent-router with the router forwarder preloaded', () => {
    expect(args.slice(args.indexOf('--') + 1)).toEqual([
      process.execPath,
      '--import',
      '/opt/agent-router/dist/sandbox/drivers/bwrap/forwards.js',
      '/opt/agent-router/dist/container/main.js',
    ])
    expect(env.ANTHROPIC_BASE_URL).toBe('http://127.0.0.1:4000/llm')
    expect(env.SANDBOX_FORWARDS).toBe(`4000=${INSIDE.routerSocket}`)
    expect(env.WORKSPACE_DIR).toBe('/workspace')
    expect(env.HOME).toBe('/home/agent')
  })

  it('keeps the router token off the command line (other users can read argv)', () => {
    expect(args.join(' ')).not.toContain('art_secret_token')
    expect(env.ANTHROPIC_AUTH_TOKEN).toBe('art_secret_token')
  })

  it('translates only absolute paths inside the package', () => {
    expect(insidePath('/srv/agent-router/dist/x.js', '/srv/agent-router')).toBe('/opt/agent-router/dist/x.js')
    expect(insidePath('-c', '/srv/agent-router')).toBe('-c')
    expect(insidePath('/srv/agent-router-other/x', '/srv/agent-router')).toBe('/srv/agent-router-other/x')
  })
})

describe('planLimits', () => {
  const settings = { memoryBytes: 1024 ** 3, pids: 100 }

  it('uses cgroups where available and no prlimit then', () => {
    const plan = planLimits(
      settings,
      { memory: { version: 1 }, pids: { version: 2 }, problems: {} },
      { prlimit: '/usr/bin/prlimit', uid: 0 },
    )
    expect(plan.prlimitArgs).toEqual([])
    expect(plan.limits.memory).toMatchObject({ enforcedBy: 'cgroup', bytes: 1024 ** 3 })
    expect(plan.limits.pids).toMatchObject({ enforcedBy: 'cgroup', max: 100 })
  })

  it('falls back to RLIMIT_DATA, and to RLIMIT_NPROC only for non-root users', () => {
    const none = { problems: { memory: 'read-only', pids: 'read-only' } }
    const root = planLimits(settings, none, { prlimit: '/usr/bin/prlimit', uid: 0 })
    expect(root.prlimitArgs).toEqual([`--data=${1024 ** 3}`])
    expect(root.limits.memory.enforcedBy).toBe('rlimit')
    expect(root.limits.pids).toMatchObject({ enforcedBy: 'none' })
    expect(root.limits.pids.detail).toContain('does not apply to root')
    const user = planLimits(settings, none, { prlimit: '/usr/bin/prlimit', uid: 1000 })
    expect(user.prlimitArgs).toEqual([`--data=${1024 ** 3}`, '--nproc=100'])
    expect(planLimits(settings, none, { prlimit: undefined, uid: 1000 }).limits.memory.enforcedBy).toBe(
      'none',
    )
  })
})
