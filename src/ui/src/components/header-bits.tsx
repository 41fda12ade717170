/** Header pieces: the connection badge, the model selector, the session's usage and the warning banner. */
import { useEffect, useState } from 'preact/hooks'
import type { SessionUsage } from '../conversation'
import { tokens, usd } from '../format'
import { type ModelOption, OTHER_MODEL } from '../models'
import type { ConnectionState } from '../session-socket'
import { Icon } from './icons'

export function ConnectionBadge({ state, onRetry }: { state: ConnectionState; onRetry(): void }) {
  const [, tick] = useState(0)
  useEffect(() => {
    if (state.kind !== 'waiting') return
    const t = setInterval(() => tick((n) => n + 1), 1000)
    return () => clearInterval(t)
  }, [state])
  let text: string
  let cls: string
  switch (state.kind) {
    case 'open':
      text = 'Connected'
      cls = 'ok'
      break
    case 'connecting':
      text = state.attempt === 0 ? 'Connecting…' : 'Reconnecting…'
      cls = 'warn'
      break
    case 'waiting': {
      const s = Math.max(0, Math.ceil((state.retryAt - Date.now()) / 1000))
      text = `Offline: ${state.reason}; retrying${s > 0 ? ` in ${s}s` : '…'}`
      cls = 'bad'
      break
    }
    case 'closed':
      text = 'Disconnected'
      cls = 'bad'
  }
  return (
    <span
      class={`conn conn-${cls}`}
      role="status"
      title={text}
      data-testid="connection"
      data-state={state.kind}
    >
      <span class="dot" aria-hidden="true" />
      <span class="conn-text">{text}</span>
      {state.kind === 'waiting' && (
        <button type="button" class="link-btn" onClick={onRetry}>
          Retry now
        </button>
      )}
    </span>
  )
}

export function ModelSelect(props: { value: string; options: ModelOption[]; onChange(model: string): void }) {
  return (
    <span class="model-select">
      <label for="model-dropdown">Model</label>
      <select
        id="model-dropdown"
        value={props.value}
        onChange={(e) => {
          const picked = e.currentTarget.value
          if (!picked.startsWith(OTHER_MODEL)) return props.onChange(picked)
          // A wildcard route takes any model name of its provider: ask for it.
          const prefix = picked.slice(OTHER_MODEL.length)
          const typed = window.prompt(`Model name (sent as ${prefix}<name>)`, '')?.trim()
          e.currentTarget.value = props.value
          if (typed) props.onChange(typed.startsWith(prefix) ? typed : `${prefix}${typed}`)
        }}
      >
        {props.options.map((m) => (
          <option key={m.id} value={m.id} title={m.id}>
            {m.label}
          </option>
        ))}
      </select>
    </span>
  )
}

export function WarningBanner({ warnings, onDismiss }: { warnings: string[]; onDismiss(): void }) {
  if (warnings.length === 0) return null
  return (
    <div class="banner" role="alert" data-testid="warning-banner">
      <span class="banner-icon">
        <Icon name="warning" size={18} />
      </span>
      <ul>
        {warnings.map((w) => (
          <li key={w}>{w}</li>
        ))}
      </ul>
      <button type="button" class="icon-btn" aria-label="Hide warnings" onClick={onDismiss}>
        <Icon name="close" size={14} />
      </button>
    </div>
  )
}

/** The session's total use so far, and how full the model's context was at the last turn. */
export function UsageMeter({ usage }: { usage: SessionUsage }) {
  if (usage.turns === 0) return null
  const total = usage.inputTokens + usage.outputTokens
  const context = usage.context
  const share = context === undefined ? undefined : Math.min(1, context.tokens / context.window)
  return (
    <span
      class="usage-meter"
      data-testid="usage-meter"
      title={`This session so far: ${usage.turns} turn${usage.turns === 1 ? '' : 's'}, ${tokens(usage.inputTokens)} input and ${tokens(usage.outputTokens)} output tokens${usage.costUsd === undefined ? '' : `, ${usd(usage.costUsd)}`}`}
    >
      <span class="usage-total" data-testid="usage-total">
        {usage.costUsd !== undefined && `${usd(usage.costUsd)} · `}
        {tokens(total)} tokens
      </span>
      {share !== undefined && context !== undefined && (
        <span
          class={`context ${share >= 0.8 ? 'context-full' : ''}`}
          data-testid="context-meter"
          title={`Context: the model last read ${tokens(context.tokens)} of ${tokens(context.window)} tokens; Claude Code compacts the conversation when it is nearly full`}
        >
          <meter min={0} max={1} value={share} aria-label="Context used" />
          <span class="context-share">{Math.round(share * 100)}%</span>
        </span>
      )}
    </span>
  )
}
