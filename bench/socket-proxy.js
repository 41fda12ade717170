/**
 * The lowest floor for any router in this benchmark: a proxy on bare `net` sockets that reads a request's
 * head and `Content-Length` body, sends the body to the upstream on a kept-alive connection, and copies the
 * answer's bytes back as they come (its head rewritten, its body framing kept: `Content-Length` or chunked).
 * No routing, validation, accounting or error handling. `node socket-proxy.js <upstream-port>`; prints
 * `listening <port>`. It shows what one more process and hop cost on this machine before any work is done.
 */
import { connect, createServer } from 'node:net'

const upstreamPort = Number(process.argv[2])
const idle = []
const CRLFCRLF = Buffer.from('\r\n\r\n')
const LAST_CHUNK = '0\r\n\r\n'

function upstream(use) {
  const socket = idle.pop()
  if (socket) return use(socket)
  const fresh = connect(upstreamPort, '127.0.0.1')
  fresh.setNoDelay(true)
  // The upstream closes connections left idle (between rows): never hand out a closed one.
  fresh.on('close', () => {
    const at = idle.indexOf(fresh)
    if (at >= 0) idle.splice(at, 1)
  })
  fresh.on('error', () => {})
  fresh.once('connect', () => use(fresh))
}

function forward(client, body) {
  upstream((up) => {
    up.write(
      `POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`,
    )
    up.write(body)
    let head
    let remaining = -1 // bytes left of a Content-Length body; -1: chunked
    const onData = (data) => {
      let bytes = data
      if (remaining === -1 && head !== true) {
        head = head ? Buffer.concat([head, bytes]) : bytes
        const end = head.indexOf(CRLFCRLF)
        if (end < 0) return
        const text = head.toString('latin1', 0, end)
        const type = /\r\ncontent-type: *([^\r]*)/i.exec(text)?.[1] ?? 'application/json'
        const length = /\r\ncontent-length: *(\d+)/i.exec(text)
        const framing = length ? `content-length: ${length[1]}` : 'transfer-encoding: chunked'
        client.write(`HTTP/1.1 ${text.slice(9, 12)} OK\r\ncontent-type: ${type}\r\n${framing}\r\n\r\n`)
        remaining = length ? Number(length[1]) : -1
        bytes = head.subarray(end + 4)
        head = true
        if (bytes.length === 0 && remaining !== 0) return
      }
      client.write(bytes)
      if (remaining >= 0) remaining -= bytes.length
      const done =
        remaining === 0 || (remaining < 0 && bytes.toString('latin1', bytes.length - 5) === LAST_CHUNK)
      if (done) {
        up.off('data', onData)
        idle.push(up)
      }
    }
    up.on('data', onData)
  })
}

const server = createServer((client) => {
  client.setNoDelay(true)
  let pending
  client.on('data', (data) => {
    pending = pending ? Buffer.concat([pending, data]) : data
    const end = pending.indexOf(CRLFCRLF)
    if (end < 0) return
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(pending.toString('latin1', 0, end))?.[1] ?? 0)
    if (pending.length < end + 4 + length) return
    const body = pending.subarray(end + 4, end + 4 + length)
    pending = undefined
    forward(client, body)
  })
  client.on('error', () => client.destroy())
})
server.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${server.address().port}\n`))
