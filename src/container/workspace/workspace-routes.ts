/**
 * `GET /workspace/snapshot`, `/workspace/files` and `/workspace/files/<path>` of the container server: the
 * session workspace as the agent sees it where the workspace lives only inside the container (Cloudflare).
 * The snapshot (`{files: {path: fingerprint}, diffs: {path: FileDiff}}`, see protocol/workspace-snapshot.ts)
 * feeds the agent's file-change events; the files feed the REST API and the UI's file browser.
 */
import { Hono } from 'hono'
import { AppError } from '../../protocol/errors.js'
import { snapshotBody } from '../../protocol/workspace-snapshot.js'
import { listWorkspaceFiles, readWorkspaceFile } from '../../store/workspace-files.js'
import { WorkspaceTracker } from '../../store/workspace-tracker.js'

export function workspaceRoutes(workspaceDir: string): Hono {
  const app = new Hono()
  // The text of the workspace's small files as of the last snapshot, so the next one can say what changed.
  const tracker = new WorkspaceTracker(workspaceDir)
  app.get('/snapshot', async (c) => c.json(snapshotBody(await tracker.snapshot())))
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
