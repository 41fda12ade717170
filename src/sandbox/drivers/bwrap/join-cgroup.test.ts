/**
 * The cgroup handshake of a sandbox started on demand: everything of it runs inside its cgroup, and none of
 * the handshake's descriptors reaches the inside.
 */
import { expect, it } from 'vitest'
import {
  describeBwrap,
  driver,
  kill,
  socketDescriptors,
  spawnUntilReady,
  useBwrapSandboxes,
} from '../../../../test/fixtures/bwrap-sandboxes.js'
import { descendantsOf } from '../../../../test/fixtures/process-tree.js'

describeBwrap('bwrap sandbox cgroup handshake', () => {
  useBwrapSandboxes()

  it('runs every process of the sandbox inside its cgroup, with no descriptor of the handshake left open', async () => {
    if (driver.limits.pids.enforcedBy !== 'cgroup') return
    const { child, cgroup, out } = await spawnUntilReady(
      driver,
      'sleep 30 & ls -l /proc/self/fd; echo READY; wait',
    )
    try {
      // The sockets inside are stdin, stdout and stderr; not the handshake's info and block descriptors.
      expect(socketDescriptors(out)).toEqual([0, 1, 2])
      const sandboxed = descendantsOf(child.pid!)
      expect(sandboxed.length).toBeGreaterThanOrEqual(3)
      expect(cgroup!.pids()).toEqual(expect.arrayContaining(sandboxed))
    } finally {
      await kill(child, cgroup)
    }
  })
})
