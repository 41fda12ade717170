/**
 * Vitest globalSetup: makes sure the system programs the tests need are installed, the way
 * `playwright install --with-deps` does. As root with apt-get, a missing one is installed (`apt-get update`
 * once, then `apt-get install -y`); otherwise it prints what to install and the tests that need it skip.
 * Add a program by adding a `{binary, aptPackage}` line to REQUIRED.
 */
import { execFileSync, spawnSync } from 'node:child_process'

interface SystemPackage {
  /** Looked up on PATH. */
  binary: string
  aptPackage: string
  /** What needs it (for the message). */
  neededBy: string
}

const REQUIRED: SystemPackage[] = [
  { binary: 'bwrap', aptPackage: 'bubblewrap', neededBy: 'the bwrap sandbox tests' },
  { binary: 'chromium', aptPackage: 'chromium', neededBy: 'the browser tests (test/browser)' },
  {
    binary: 'openssl',
    aptPackage: 'openssl',
    neededBy: "the router's TLS client test (a throwaway certificate)",
  },
]

function installed(binary: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' }).status === 0
}

export default function setup(): void {
  const missing = REQUIRED.filter((pkg) => !installed(pkg.binary))
  if (missing.length === 0) return
  const names = missing.map((pkg) => pkg.aptPackage).join(' ')
  const canInstall = process.getuid?.() === 0 && installed('apt-get')
  if (!canInstall) {
    console.warn(
      `[system-packages] missing ${missing.map((p) => `${p.binary} (${p.neededBy})`).join(', ')}; install with: sudo apt-get install -y ${names}. Those tests skip until then.`,
    )
    return
  }
  console.info(`[system-packages] installing ${names} with apt-get`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  try {
    execFileSync('apt-get', ['update'], { stdio: 'inherit', env })
    execFileSync(
      'apt-get',
      ['install', '-y', '--no-install-recommends', ...missing.map((p) => p.aptPackage)],
      {
        stdio: 'inherit',
        env,
      },
    )
  } catch (err) {
    console.warn(`[system-packages] apt-get failed (${(err as Error).message}); install ${names} by hand.`)
  }
}
