/**
 * A JSON answer, built as `new Response(text)` rather than with the static `Response.json()`. Both are web
 * standard; the difference is on Node, where `@hono/node-server` puts in place a `Response` that hands a text
 * body straight to the socket. The static method it inherits builds the runtime's own `Response`, whose body
 * the adapter must then read back through a web stream: a stream built and read over several ticks, on the
 * critical path of every non-streamed answer (see bench/README.md, "JSON answers").
 */
export function jsonResponse(
  body: unknown,
  init: { status?: number; headers?: Record<string, string> } = {},
): Response {
  return new Response(JSON.stringify(body), {
    status: init.status ?? 200,
    headers: { 'content-type': 'application/json', ...init.headers },
  })
}
