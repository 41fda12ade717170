/**
 * The bubblewrap command line of one sandbox, as a pure function of the session's spec and the host layout,
 * so the driver and the escape tests run exactly the same confinement. What the inside sees:
 *
 * - the system read-only (`/usr` and its `/bin` `/lib*` links, certificates, a generated minimal
 *   `/etc/passwd`, `/etc/group`, `/etc/hosts`), nothing of `/root`, `/home`, the checkout, DATA_DIR or `/etc/shadow`;
 * - this package read-only at `/opt/agent-router` (`dist/`, `node_modules/`, `package.json`);
 * - the session's workspace at `/workspace` and its Claude dir at `/home/agent/.claude`, read-write; a private
 *   `/tmp` and `/home` (tmpfs); its run dir (the container socket) at `/run/sandbox`;
 * - the router's unix socket (and the egress proxy's) at `/run/agent-router/`, reached through loopback
 *   forwarders (see forwards.ts); no other network, its own PID/IPC/UTS/cgroup/user namespaces,
 *   no capabilities, `/proc/sys` read-only, `--die-with-parent`, `--new-session`.
 *
 * The environment is not put on the command line (`--setenv` would show the session's router token to every
 * host user in `ps`); bwrap is spawned with exactly `env` as its whole environment instead.
 */
import { existsSync, lstatSync, readlinkSync, realpathSync } from 'node:fs'
import { basename, dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { SandboxSpec } from '../../types.js'

/** Fixed paths inside every sandbox. */
export const INSIDE = {
  app: '/opt/agent-router',
  workspace: '/workspace',
  home: '/home/agent',
  claude: '/home/agent/.claude',
  run: '/run/sandbox',
  routerSocket: '/run/agent-router/router.sock',
  egressSocket: '/run/agent-router/egress.sock',
} as const

/** Loopback ports inside the sandbox that lead to the host's router and egress proxy. */
export const FORWARD_PORTS = { router: 4000, egress: 3128 } as const

const SYSTEM_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32']
const ETC_ENTRIES = [
  '/etc/ssl',
  '/etc/ca-certificates',
  '/etc/ca-certificates.conf',
  '/etc/alternatives',
  '/etc/ld.so.cache',
  '/etc/ld.so.conf',
  '/etc/ld.so.conf.d',
  '/etc/localtime',
  '/etc/nsswitch.conf',
]
const GENERATED_ETC = ['passwd', 'group', 'hosts'] as const

export interface BwrapLayout {
  /** This package's root on the host (holds dist/, node_modules/, package.json). */
  packageRoot: string
  /** A host dir holding generated `passwd`, `group` and `hosts` (see writeSandboxEtc). */
  etcDir: string
  /** The host's router socket; forwarded to 127.0.0.1:4000 inside. */
  routerSocket?: string
  /** The host's egress proxy socket (SANDBOX_EGRESS); forwarded to 127.0.0.1:3128 inside. */
  egressSocket?: string
  /** LANG for the inside (default C.UTF-8). */
  lang?: string
}

export interface BwrapInvocation {
  /** Arguments after `bwrap`: `options`, `--`, `command`. */
  args: string[]
  /** bwrap's options: the confinement, all of it specific to the session but for the namespace flags. */
  options: string[]
  /** The command as run inside (paths of this package translated, forwarders preloaded into node). */
  command: string[]
  /** bwrap's (and so the sandbox's) entire environment. */
  env: Record<string, string>
}

/**
 * The user the sandbox runs as, inside its own user namespace (mapped to the server's user outside, so the
 * workspace stays owned by it). Not 0: Claude Code refuses bypassPermissions as root, and nothing inside should
 * believe it is root.
 */
export const SANDBOX_UID = 1000

/** The contents of the generated /etc files: one unprivileged-looking user, localhost only. */
export function sandboxEtcFiles(): Record<(typeof GENERATED_ETC)[number], string> {
  return {
    passwd: `agent:x:${SANDBOX_UID}:${SANDBOX_UID}:agent:${INSIDE.home}:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n`,
    group: `agent:x:${SANDBOX_UID}:\nnogroup:x:65534:\n`,
    hosts: '127.0.0.1 localhost sandbox\n::1 localhost\n',
  }
}

function isUnder(path: string, dir: string): boolean {
  const rel = relative(dir, path)
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith('/'))
}

/** Maps a host path of this package to its inside path (other paths unchanged). */
export function insidePath(path: string, packageRoot: string): string {
  return path.startsWith('/') && isUnder(path, packageRoot)
    ? join(INSIDE.app, relative(packageRoot, path))
    : path
}

/** True when the sandbox shows host path `real` at the same place: it is under a bound system dir. */
function inBoundSystemDir(real: string): boolean {
  return SYSTEM_DIRS.some((dir) => existsSync(dir) && !lstatSync(dir).isSymbolicLink() && isUnder(real, dir))
}

let hostSystemArgs: readonly string[] | undefined

/**
 * Read-only system dirs (symlinked ones recreated as links) and the /etc entries programs need. Read from
 * the host once (some 40 stat, readlink and realpath calls): every sandbox start uses them.
 */
export function systemArgs(): readonly string[] {
  hostSystemArgs ??= readSystemArgs()
  return hostSystemArgs
}

function readSystemArgs(): string[] {
  const args: string[] = []
  for (const dir of SYSTEM_DIRS) {
    if (!existsSync(dir)) continue
    const stat = lstatSync(dir)
    if (stat.isSymbolicLink()) args.push('--symlink', readlinkSync(dir), dir)
    else args.push('--ro-bind', dir, dir)
  }
  for (const entry of ETC_ENTRIES) {
    // A link into the system dirs stays a link (a bind mount would show the file it points to): ICU names the
    // time zone from /etc/localtime's link target, and without one scans every zoneinfo file (~8 ms for each
    // process that first uses a Date).
    const target = linkIntoSystem(entry)
    if (target !== undefined) args.push('--symlink', target, entry)
    else args.push('--ro-bind-try', entry, entry)
  }
  return args
}

/** The target of `path` when it is a symbolic link to something under a bound (not linked) system dir. */
function linkIntoSystem(path: string): string | undefined {
  try {
    if (!lstatSync(path).isSymbolicLink()) return undefined
    const target = readlinkSync(path)
    return target.startsWith('/') && inBoundSystemDir(realpathSync(path)) ? target : undefined
  } catch {
    return undefined
  }
}

/** The node binary, bound at its own path when no system dir already shows it. */
function executableArgs(executable: string): string[] {
  if (!executable.startsWith('/')) return []
  const real = realpathSync(executable)
  return inBoundSystemDir(real) ? [] : ['--ro-bind', real, executable]
}

const isNode = (executable: string) =>
  executable === process.execPath || /^node(\d+)?$/.test(basename(executable))

/** `ANTHROPIC_BASE_URL` as the inside reaches it: the same path on the router forwarder. */
function insideRouterUrl(hostUrl: string | undefined): string {
  const origin = `http://127.0.0.1:${FORWARD_PORTS.router}`
  if (hostUrl === undefined) return `${origin}/llm`
  try {
    const url = new URL(hostUrl)
    return `${origin}${url.pathname.replace(/\/$/, '')}${url.search}`
  } catch {
    return `${origin}/llm`
  }
}

/**
 * bwrap's arguments and environment to run `command` (host paths of this package are translated to
 * `/opt/agent-router/…`) for `spec`. A node command gets the loopback forwarders preloaded.
 */
export function buildBwrapInvocation(
  spec: SandboxSpec,
  command: string[],
  layout: BwrapLayout,
): BwrapInvocation {
  const [executable, ...rest] = command
  if (executable === undefined) throw new Error('sandbox command is empty')
  const pkg = layout.packageRoot
  const args = [
    '--unshare-all',
    '--unshare-user',
    '--uid',
    String(SANDBOX_UID),
    '--gid',
    String(SANDBOX_UID),
    '--hostname',
    'sandbox',
    '--die-with-parent',
    '--new-session',
    '--cap-drop',
    'ALL',
    ...systemArgs(),
    ...GENERATED_ETC.flatMap((name) => ['--ro-bind', join(layout.etcDir, name), `/etc/${name}`]),
    ...executableArgs(executable),
    '--dev',
    '/dev',
    '--proc',
    '/proc',
    // The sandbox's uid maps to the server's user outside; when that is root, writes to /proc/sys pass the
    // file-mode check (no capability needed) and kernel.core_pattern would run a host command. bwrap leaves
    // /proc/sys writable, so cover it with a read-only mount.
    '--ro-bind',
    '/proc/sys',
    '/proc/sys',
    '--tmpfs',
    '/tmp',
    '--tmpfs',
    '/home',
    '--dir',
    INSIDE.home,
    '--ro-bind',
    join(pkg, 'package.json'),
    join(INSIDE.app, 'package.json'),
    '--ro-bind',
    join(pkg, 'dist'),
    join(INSIDE.app, 'dist'),
    '--ro-bind',
    join(pkg, 'node_modules'),
    join(INSIDE.app, 'node_modules'),
    '--bind',
    spec.workspaceDir,
    INSIDE.workspace,
    '--bind',
    spec.claudeDir,
    INSIDE.claude,
    '--bind',
    spec.runDir,
    INSIDE.run,
  ]
  const forwards: string[] = []
  if (layout.routerSocket !== undefined) {
    args.push('--ro-bind', layout.routerSocket, INSIDE.routerSocket)
    forwards.push(`${FORWARD_PORTS.router}=${INSIDE.routerSocket}`)
  }
  if (layout.egressSocket !== undefined) {
    args.push('--ro-bind', layout.egressSocket, INSIDE.egressSocket)
    forwards.push(`${FORWARD_PORTS.egress}=${INSIDE.egressSocket}`)
  }
  args.push('--chdir', INSIDE.workspace)
  const inner = [executable, ...rest.map((arg) => insidePath(arg, pkg))]
  if (forwards.length > 0 && isNode(executable)) {
    inner.splice(1, 0, '--import', join(INSIDE.app, 'dist/sandbox/drivers/bwrap/forwards.js'))
  }

  const env: Record<string, string> = {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: INSIDE.home,
    LANG: layout.lang ?? 'C.UTF-8',
    TMPDIR: '/tmp',
    ...spec.env,
    ANTHROPIC_BASE_URL: insideRouterUrl(spec.env.ANTHROPIC_BASE_URL),
    CONTAINER_SOCKET: join(INSIDE.run, 'container.sock'),
    WORKSPACE_DIR: INSIDE.workspace,
    CLAUDE_CONFIG_DIR: INSIDE.claude,
    CONTAINER_EXIT_ON_STDIN_END: '1',
  }
  if (forwards.length > 0) env.SANDBOX_FORWARDS = forwards.join(',')
  if (layout.egressSocket !== undefined) {
    const proxy = `http://127.0.0.1:${FORWARD_PORTS.egress}`
    Object.assign(env, {
      HTTPS_PROXY: proxy,
      HTTP_PROXY: proxy,
      https_proxy: proxy,
      http_proxy: proxy,
      NO_PROXY: '127.0.0.1,localhost',
      no_proxy: '127.0.0.1,localhost',
    })
  }
  return { args: [...args, '--', ...inner], options: args, command: inner, env }
}

/** This package's root (this module is `src/sandbox/drivers/bwrap/args.ts` or its `dist/…` twin). */
export function packageRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '../../../..')
}
