/**
 * What a WebSocket client's text frame does to its session (DESIGN.md, WebSocket API), for every host: the
 * Node server's `ws` connections and a Durable Object's hibernatable WebSockets. A bad frame gets an error
 * sent to that client only and changes nothing.
 */
import { toAppError } from '../protocol/errors.js'
import { InboundFrame } from '../protocol/events.js'
import type { SessionActor } from './session-actor.js'

export interface FrameContext {
  /** Answers the client that sent the frame (not persisted, not broadcast). */
  sendError(message: string): void
  /** Whether this client may start another turn now; the message to send when not. */
  admitTurn?: () => { ok: true } | { ok: false; message: string }
  /** Told when a turn this frame started fails outside the turn (the turn's own errors are events). */
  onTurnFailure?: (err: unknown) => void
}

export function handleInboundFrame(actor: SessionActor, text: string, ctx: FrameContext): void {
  let frame: unknown
  try {
    frame = JSON.parse(text)
  } catch {
    ctx.sendError('frame is not JSON; send {"type":"user_message","content":"…"}')
    return
  }
  const parsed = InboundFrame.safeParse(frame)
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.') || 'frame'}: ${i.message}`).join('; ')
    ctx.sendError(`invalid frame: ${detail.slice(0, 500)}`)
    return
  }
  const message = parsed.data
  switch (message.type) {
    case 'user_message': {
      const verdict = ctx.admitTurn?.() ?? { ok: true }
      if (verdict.ok) actor.submit(message.content, message.model).catch((err) => ctx.onTurnFailure?.(err))
      else ctx.sendError(verdict.message)
      return
    }
    case 'interrupt':
      actor.interrupt()
      return
    case 'cancel_queued':
      try {
        actor.cancelQueued(message.seq)
      } catch (err) {
        ctx.sendError(toAppError(err).message)
      }
      return
    case 'permission_response':
      actor
        .answerPermission(message.requestId, {
          allow: message.allow,
          ...(message.remember !== undefined && { remember: message.remember }),
          ...(message.message !== undefined && { message: message.message }),
        })
        .catch((err) => ctx.sendError(toAppError(err).message))
      return
  }
}
