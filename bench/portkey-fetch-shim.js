/**
 * Preloaded into the Portkey gateway by the benchmark (`node --import`). Portkey 1.15.2 appends headers to the
 * upstream `fetch` Response when streaming, which Node's fetch makes immutable ("TypeError: immutable": every
 * streaming request fails with 500). Re-wrapping each response with copied headers lets its streaming path
 * be measured; it costs Portkey one extra Response object per request.
 */
const original = globalThis.fetch
globalThis.fetch = async (input, init) => {
  const response = await original(input, init)
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers: new Headers(response.headers),
  })
}
