/**
 * The seed's AgentSessionState of one session, as `GET /agent/sessions[/:id]` answers it on every host.
 */
import type { SessionRecord } from '../store/session-store.js'
import type { AgentService } from './agent-service.js'

export type SessionState = ReturnType<typeof sessionState>

/** The seed's AgentSessionState for one session (listing thousands of sessions creates no actors). */
export function sessionState(agent: AgentService, record: SessionRecord) {
  const container = agent.containerInfo(record.id)
  return {
    id: record.id,
    title: record.title,
    createdAt: record.createdAt,
    isRunning: record.isRunning,
    lastActivity: record.lastActivity,
    lastSeq: record.lastSeq,
    waitingPermissions: agent.waitingPrompts(record.id).length,
    claudeSession: {
      id: record.claudeSessionId ?? null,
      workspacePath: `sessions/${record.id}/workspace`,
      lastCommand: record.lastCommand ?? null,
      sessionFiles: record.sessionFiles,
      activeTools: agent.runningTools(record.id),
      permissionRules: record.permissionRules,
      preferredModel: record.preferredModel ?? null,
    },
    containerState: {
      isActive: container.state === 'running',
      state: container.state,
      lastHeartbeat: container.lastHeartbeat ?? null,
      sandbox: container.driver,
      isolated: container.isolated,
    },
  }
}
