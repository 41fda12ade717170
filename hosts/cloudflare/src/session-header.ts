/** Header by which the Worker tells a ClaudeCodeAgent which session it is (an object does not know its name). */
export const SESSION_HEADER = 'x-agent-session'
