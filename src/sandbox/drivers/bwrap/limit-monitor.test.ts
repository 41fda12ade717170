/**
 * Limits through the real driver: a sandbox that hits its memory or process limit is killed whole, and the
 * run it broke and its `exited` say which limit it was; that run ends only once the sandbox is gone.
 */
import { expect, it } from 'vitest'
import {
  collectRunError,
  describeBwrap,
  driver,
  startServing,
  useBwrapSandboxes,
} from '../../../../test/fixtures/bwrap-sandboxes.js'

describeBwrap('bwrap sandbox limits', () => {
  useBwrapSandboxes()

  it('stops a memory hog with an error naming the memory limit, and other sandboxes keep running', async () => {
    if (driver.limits.memory.enforcedBy !== 'cgroup') return
    const hog = await startServing('hog', 'const a=[];for(;;)a.push(Buffer.alloc(1<<24,1))')
    const calm = await startServing('calm', '')
    const error = await collectRunError(hog)
    expect(error).toMatch(/memory limit \(256 MiB\)/)
    expect((await hog.exited).reason).toMatch(/memory limit/)
    expect(await calm.client.health()).toMatchObject({ ok: true })
    await calm.stop()
  }, 30_000)

  it('ends a run broken by a limit only once the sandbox is gone, so the next turn cannot get the dying one', async () => {
    // A tool process eats the memory while the container server goes on streaming, as Claude Code does.
    const hog = await startServing(
      'hog-end',
      "require('child_process').spawn(process.execPath,['-e','const a=[];for(;;)a.push(Buffer.alloc(1<<24,1))'],{stdio:'ignore'});setInterval(()=>s.write('{\"type\":\"tick\"}\\n'),10)",
    )
    let gone = false
    void hog.exited.then(() => {
      gone = true
    })
    const lines: unknown[] = []
    try {
      for await (const line of hog.client.run({ prompt: 'go' })) lines.push(line)
    } catch (err) {
      lines.push((err as Error).message)
    }
    expect(JSON.stringify(lines)).toMatch(/memory limit \(256 MiB\)/)
    expect(gone).toBe(true)
  }, 30_000)

  it('stops a fork bomb with an error naming the process limit', async () => {
    if (driver.limits.pids.enforcedBy !== 'cgroup') return
    const bomb = await startServing(
      'bomb',
      "require('child_process').spawn('/bin/sh',['-c','f(){ f | f & }; f; sleep 30'],{stdio:'ignore'})",
    )
    const error = await collectRunError(bomb)
    expect(error).toMatch(/process limit \(64 processes\)/)
    expect((await bomb.exited).reason).toMatch(/process limit/)
  }, 30_000)
})
