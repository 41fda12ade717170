/**
 * What every sandbox of one bwrap driver shares, settled once when the driver is created: the cgroups to use
 * (probed), how each limit is enforced, the layout the sandbox sees of the host, and the generated `/etc`.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Env } from '../../../config/config.js'
import { DEFAULT_LIMITS, type LimitPlan, type LimitSettings, planLimits } from '../../limits.js'
import { type BwrapLayout, packageRoot, sandboxEtcFiles } from './args.js'
import { type CgroupSupport, probeCgroups, SandboxCgroup } from './cgroup.js'
import { findOnPath, hostCommand } from './host-command.js'

export interface BwrapDriverOptions {
  /** Where the driver keeps its generated files (`etc/passwd`…); e.g. `DATA_DIR/run/sandbox`. */
  stateDir: string
  /** The host's router unix socket, reachable inside as ANTHROPIC_BASE_URL's host. */
  routerSocket?: string
  /** The egress proxy's unix socket (SANDBOX_EGRESS), reachable inside through HTTPS_PROXY. */
  egressSocket?: string
  limits?: LimitSettings
  /** Default: the bwrap on PATH. */
  bwrapPath?: string
  /** Cgroups to use (default: probed once); `false` never uses cgroups (rlimits only). */
  cgroups?: CgroupSupport | false
  /** Default: this package's root. */
  packageRoot?: string
  /** Host environment (for PATH lookups and LANG). */
  hostEnv?: Env
}

/**
 * Numbers the sandboxes' cgroups. Every driver of this process shares one base group (`agent-router-<pid>`),
 * so the numbers are the process's, not a driver's: two drivers (a test's, a benchmark's two servers) never
 * name a group the same, and removing one sandbox's group never kills another's processes.
 */
let cgroupCounter = 0

const NO_CGROUPS: CgroupSupport = {
  memory: undefined,
  pids: undefined,
  problems: { memory: 'cgroups disabled', pids: 'cgroups disabled' },
}

export class SandboxSetup {
  /** The bwrap executable. */
  readonly bwrap: string
  readonly settings: LimitSettings
  readonly plan: LimitPlan
  readonly layout: BwrapLayout
  private readonly cgroups: CgroupSupport
  private readonly etcDir: string

  constructor(options: BwrapDriverOptions) {
    this.settings = options.limits ?? DEFAULT_LIMITS
    this.cgroups = options.cgroups === false ? NO_CGROUPS : (options.cgroups ?? probeCgroups())
    this.plan = planLimits(this.settings, this.cgroups, {
      prlimit: findOnPath('prlimit', options.hostEnv?.PATH),
      uid: process.getuid?.() ?? 0,
    })
    this.bwrap = options.bwrapPath ?? 'bwrap'
    this.etcDir = join(options.stateDir, 'etc')
    this.layout = {
      packageRoot: options.packageRoot ?? packageRoot(),
      etcDir: this.etcDir,
      routerSocket: options.routerSocket,
      egressSocket: options.egressSocket,
      lang: options.hostEnv?.LANG,
    }
  }

  /** Writes the generated `/etc` files the sandboxes bind, unless they are there. */
  writeEtc(): void {
    if (existsSync(join(this.etcDir, 'passwd'))) return
    mkdirSync(this.etcDir, { recursive: true })
    for (const [name, text] of Object.entries(sandboxEtcFiles())) writeFileSync(join(this.etcDir, name), text)
  }

  /** A new sandbox's cgroup, named `<prefix>-<n>`; undefined when no controller is usable. */
  newCgroup(prefix: string): SandboxCgroup | undefined {
    const name = `${prefix}-${++cgroupCounter}`
    return this.cgroups.memory === undefined && this.cgroups.pids === undefined
      ? undefined
      : SandboxCgroup.create(this.cgroups, name, this.settings)
  }

  /** The host command line around `argv`, bwrap's (see host-command.ts). */
  hostCommand(argv: string[]): string[] {
    return hostCommand(argv, this.plan.prlimitArgs)
  }
}
