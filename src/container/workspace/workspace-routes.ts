/**
 * `GET /workspace/snapshot`, `/workspace/files` and `/workspace/files/<path>` of the container server: the
 * session workspace as the agent sees it where the workspace lives only inside the container (Cloudflare).
 * The snapshot feeds the agent's file-change events; the files feed the REST API and the UI's file browser.
 */
import { Hono } from 'hono'
import { AppError } from '../../protocol/errors.js'
import { listWorkspaceFiles, readWorkspaceFile } from '../../store/workspace-files.js'
import { snapshotDirectory } from '../../store/workspace-snapshot.js'

/** The snapshot as JSON: `{files: {path: fingerprint}}` (a Map does not survive JSON). */
export interface WorkspaceSnapshotBody {
  files: Record<string, string>
}

export function workspaceRoutes(workspaceDir: string): Hono {
  const app = new Hono()
  app.get('/snapshot', async (c) => {
    const body: WorkspaceSnapshotBody = { files: Object.fromEntries(await snapshotDirectory(workspaceDir)) }
    return c.json(body)
  })
  app.get('/files', async (c) => c.json({ files: await listWorkspaceFiles(workspaceDir) }))
  app.get('/files/*', async (c) => {
    const raw = c.req.path.slice(c.req.path.indexOf('/files/') + '/files/'.length)
    let path: string
    try {
      path = decodeURIComponent(raw)
    } catch {
      throw new AppError('invalid_request_error', 'the file path is not valid URL encoding')
    }
    return c.json(await readWorkspaceFile(workspaceDir, path))
  })
  return app
}
