/**
 * Serves the container app on a unix socket (what a sandbox driver uses) or on host:port (an image run
 * alone), and announces readiness with one JSON line on stdout: `{"event":"listening","address":…}`.
 */
import { existsSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs'
import type { Server } from 'node:http'
import { connect } from 'node:net'
import { dirname } from 'node:path'
import { createAdaptorServer } from '@hono/node-server'
import type { ContainerConfig } from '../config/config.js'
import { AppError } from '../protocol/errors.js'
import { type ActiveRuns, buildContainerApp } from './app.js'

export interface RunningContainerServer {
  /** `unix:<path>` or `http://host:port`. */
  address: string
  /** Aborts runs in flight (stopping their Claude Code processes), then stops listening. */
  close(): Promise<void>
}

/** True when something answers on the socket (a live server we must not take over). */
function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path)
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

async function prepareSocket(path: string): Promise<void> {
  mkdirSync(dirname(path), { recursive: true })
  if (!existsSync(path)) return
  if (!lstatSync(path).isSocket()) {
    throw new AppError(
      'invalid_config',
      `CONTAINER_SOCKET ${path} exists and is not a socket; remove it or pick another path`,
    )
  }
  if (await socketAnswers(path)) {
    throw new AppError('invalid_config', `another server already listens on ${path}`)
  }
  unlinkSync(path)
}

function listen(server: Server, config: ContainerConfig): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    const done = () => {
      server.off('error', reject)
      const address = server.address()
      if (config.socketPath !== undefined) resolve(`unix:${config.socketPath}`)
      else if (address !== null && typeof address === 'object')
        resolve(`http://${config.host}:${address.port}`)
      else resolve(`http://${config.host}:${config.port}`)
    }
    if (config.socketPath !== undefined) server.listen(config.socketPath, done)
    else server.listen(config.port, config.host, done)
  })
}

/** Starts the container server; resolves once it listens (after printing the `listening` line). */
export async function runContainerServer(config: ContainerConfig): Promise<RunningContainerServer> {
  const activeRuns: ActiveRuns = new Set()
  const app = buildContainerApp(config, activeRuns)
  if (config.socketPath !== undefined) await prepareSocket(config.socketPath)
  const server = createAdaptorServer({ fetch: app.fetch }) as Server
  const address = await listen(server, config)
  process.stdout.write(
    `${JSON.stringify({ event: 'listening', address, pid: process.pid, workspace: config.workspaceDir })}\n`,
  )

  let closing: Promise<void> | undefined
  const close = () => {
    closing ??= new Promise<void>((resolve) => {
      for (const run of activeRuns) run.abort(new Error('container server is shutting down'))
      server.close(() => {
        if (config.socketPath !== undefined && existsSync(config.socketPath)) {
          try {
            unlinkSync(config.socketPath)
          } catch {
            // already gone
          }
        }
        resolve()
      })
      server.closeAllConnections()
    })
    return closing
  }
  return { address, close }
}
