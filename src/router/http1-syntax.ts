/**
 * The pieces of HTTP/1.1 syntax the router's own client and front share: the end of a head, a header line,
 * the characters a header value may hold, and writing a block of header lines that cannot split a message.
 */

export const CRLFCRLF = Buffer.from('\r\n\r\n')

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
/** A header line: a token name, the colon, the value without surrounding blanks. */
export const HEADER_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[\t ]*(.*?)[\t ]*$/
/** Anything but a tab, visible ASCII, space and obs-text: not allowed in a header value. */
export const BAD_VALUE = /[^\t\x20-\x7e\x80-\xff]/

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
