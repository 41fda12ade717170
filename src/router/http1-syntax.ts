/**
 * The pieces of HTTP/1.1 syntax the router's own client and front share: the end of a head, a header line,
 * the characters a header value may hold, and writing a block of header lines that cannot split a message.
 */

export const CRLFCRLF = Buffer.from('\r\n\r\n')

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
/** Anything but a tab, visible ASCII, space and obs-text: not allowed in a header value. */
const BAD_VALUE = /[^\t\x20-\x7e\x80-\xff]/

const isBlank = (code: number) => code === 0x20 || code === 0x09

/**
 * A header line as `[name, value]`: a token name, the colon, the value without its surrounding blanks;
 * `undefined` when the name is not a token or the value holds a character a header value may not. One pass
 * over the line, whatever it holds: it is read before anyone is authenticated, and a backtracking pattern
 * for the blanks (`[\t ]*(.*?)[\t ]*$`) costs time quadratic in a run of blanks inside the value.
 */
export function splitHeaderLine(line: string): [name: string, value: string] | undefined {
  const colon = line.indexOf(':')
  if (colon <= 0) return undefined
  const name = line.slice(0, colon)
  if (!TOKEN.test(name)) return undefined
  let start = colon + 1
  let end = line.length
  while (start < end && isBlank(line.charCodeAt(start))) start++
  while (end > start && isBlank(line.charCodeAt(end - 1))) end--
  const value = line.slice(start, end)
  return BAD_VALUE.test(value) ? undefined : [name, value]
}

/**
 * `name: value\r\n` for each header except those in `skipped` (lower-case names); throws `TypeError` for a
 * name or value that would split the message, as Node's HTTP does.
 */
export function headerLines(headers: Record<string, string>, skipped: ReadonlySet<string>): string {
  let lines = ''
  for (const name in headers) {
    if (skipped.has(name)) continue
    const value = headers[name] as string
    if (!TOKEN.test(name)) throw new TypeError(`invalid header name: ${JSON.stringify(name)}`)
    if (BAD_VALUE.test(value)) throw new TypeError(`invalid character in the value of header '${name}'`)
    lines += `${name}: ${value}\r\n`
  }
  return lines
}
