/**
 * ClaudeCodeContainer (the seed's container Durable Object): one Cloudflare Container per session running the
 * container server (`agent-router container`, src/container/) on port 8080. It sleeps after SLEEP_AFTER idle,
 * has no internet, and reaches the model router only through `http://router.internal`, which this class
 * answers in the Worker: provider keys never enter the container, only the session's HMAC router token.
 */

import type { DurableObject } from 'cloudflare:workers'
import { Container, type OutboundHandler } from '@cloudflare/containers'
import { hostConfig } from './host-config.js'
import { routerFetch } from './router.js'

export const CONTAINER_PORT = 8080
/** What the container calls the router; answered by the outbound handler below, never by the internet. */
export const ROUTER_HOST = 'router.internal'
/** What Cloudflare says when every instance (max_instances) is taken. */
const NO_INSTANCE = 'there is no container instance that can be provided to this durable object'

/** The answer to a start: running, or no instance free (the caller waits and asks again). */
export type BootResult =
  | {
      started: true
      /**
       * The container came up on a fresh disk and its saved workspace has not been put back yet: restore it
       * (then `restored()`) before a turn runs, and save nothing from it until then.
       */
      restorePending: boolean
    }
  | { started: false; reason: 'no_instance'; message: string }

/** Storage key: set when a container starts on a fresh disk, cleared once its workspace was restored. */
const RESTORE_PENDING = 'restorePending'

const toRouter: OutboundHandler<Env> = (request, env) => routerFetch(request, env)

export class ClaudeCodeContainer extends Container<Env> {
  override defaultPort = CONTAINER_PORT
  override enableInternet = false

  constructor(ctx: DurableObject['ctx'], env: Env) {
    super(ctx, env)
    this.sleepAfter = `${Math.ceil(hostConfig(env).sleepAfterMs / 1000)}s`
  }

  /**
   * Starts the container with the session's environment when it is not running and waits for its server.
   * `{started: false}` when Cloudflare has no instance free (max_instances): not an error, the turn waits.
   */
  async boot(envVars: Record<string, string>, instanceGetTimeoutMS = 8_000): Promise<BootResult> {
    // A container that is not running has no disk left: whatever starts now starts empty.
    if (this.ctx.container?.running !== true) await this.ctx.storage.put(RESTORE_PENDING, true)
    try {
      await this.startAndWaitForPorts({
        ports: CONTAINER_PORT,
        startOptions: { envVars },
        cancellationOptions: { instanceGetTimeoutMS, waitInterval: 250 },
      })
      return { started: true, restorePending: (await this.ctx.storage.get(RESTORE_PENDING)) === true }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err)
      if (message.toLowerCase().includes(NO_INSTANCE))
        return { started: false, reason: 'no_instance', message }
      throw err
    }
  }

  /** The saved workspace is back in the running container (or there was none to put back). */
  async restored(): Promise<void> {
    await this.ctx.storage.delete(RESTORE_PENDING)
  }

  /** Whether the running container still waits for its saved workspace (nothing may be saved from it). */
  async restorePending(): Promise<boolean> {
    return (await this.ctx.storage.get(RESTORE_PENDING)) === true
  }

  /** `running`, `healthy`, `stopping`, `stopped`, `stopped_with_code`: what the platform reports. */
  async status(): Promise<string> {
    return (await this.getState()).status
  }

  /** Stops the container now (the session was deleted); its disk goes with it. */
  async shutdown(): Promise<void> {
    if (this.ctx.container?.running) await this.destroy()
  }
}

// Assigned, not declared as a class field: the setter registers the handler under the class's name, where the
// containers' outbound proxy looks it up (a field would only shadow it).
ClaudeCodeContainer.outboundByHost = { [ROUTER_HOST]: toRouter }
