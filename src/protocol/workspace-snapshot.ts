/**
 * A session workspace's files as the agent compares them before and after a tool call: path (relative to the
 * workspace, `/`-separated) -> a fingerprint that changes when the file does. Whatever can see the workspace
 * makes it (the host's file system on Node, the container itself where the workspace lives inside it).
 */
export type WorkspaceSnapshot = ReadonlyMap<string, string>
