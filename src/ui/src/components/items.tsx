/** The pieces of a conversation: messages, tool cards, file chips, permission prompts, errors, notices, turn usage. */
import type { Item, TurnUsage } from '../conversation'
import { duration, tokens, usd } from '../format'
import { CopyButton } from './copy-button'
import { FileChips } from './file-chips'
import { Markdown } from './markdown-view'
import { type PermissionAnswer, PermissionCard } from './permission-card'
import { ToolCard } from './tools/tool-card'

function UsageLine({ usage, interrupted }: { usage: TurnUsage | undefined; interrupted: boolean }) {
  const parts: string[] = []
  if (usage?.durationMs !== undefined) parts.push(duration(usage.durationMs))
  if (usage?.numTurns !== undefined) parts.push(`${usage.numTurns} step${usage.numTurns === 1 ? '' : 's'}`)
  if (usage?.inputTokens !== undefined || usage?.outputTokens !== undefined)
    parts.push(`${tokens(usage?.inputTokens ?? 0)} in · ${tokens(usage?.outputTokens ?? 0)} out tokens`)
  if (usage?.costUsd !== undefined) parts.push(usd(usage.costUsd))
  if (!interrupted && parts.length === 0) return null
  return (
    <p class="turn-end" data-testid="turn-end">
      {interrupted && <span class="interrupted">Interrupted</span>}
      {parts.join(' · ')}
    </p>
  )
}

export function ItemView({
  item,
  onOpenFile,
  onAnswer,
}: {
  item: Item
  onOpenFile(path: string): void
  onAnswer(requestId: string, answer: PermissionAnswer): void
}) {
  switch (item.kind) {
    case 'user':
      return (
        <div class="msg msg-user" data-testid="user-message">
          <div class="msg-text">{item.text}</div>
          <div class="msg-actions">
            <CopyButton text={item.text} what="the message" iconOnly />
          </div>
        </div>
      )
    case 'assistant':
      return (
        <div class="msg msg-assistant" data-testid="assistant-message">
          <Markdown text={item.text} />
          <div class="msg-actions">
            <CopyButton text={item.text} what="the message" iconOnly />
          </div>
        </div>
      )
    case 'tool':
      return <ToolCard call={item.call} />
    case 'files':
      return <FileChips changes={item.changes} onOpen={onOpenFile} />
    case 'permission':
      return <PermissionCard item={item} onAnswer={onAnswer} />
    case 'error':
      return (
        <div class="error-block" role="alert" data-testid="error">
          <strong>Error</strong> {item.text}
        </div>
      )
    case 'notice':
      return (
        <p class="session-notice" data-testid="notice">
          {item.text}
        </p>
      )
    case 'turn-end':
      return <UsageLine usage={item.usage} interrupted={item.interrupted} />
  }
}
