/**
 * The byte lane of the stream translation: while a text block is open, an upstream SSE event that is exactly
 * `data: ` + the learned chunk text (`ChunkTemplate`) around a plain ASCII content literal + a blank line is
 * turned into its Anthropic `text_delta` event by copying bytes — no decoding, parsing, string building or
 * encoding. The output is byte for byte what the string path writes for the same event (`textDeltaEvent`);
 * the lane stops at the first event it cannot take, and the SSE parser reads on from there.
 */

const TAIL = Buffer.from('"}}\n\n')

/** ASCII printable (and DEL), no raw quote, and only the escapes `JSON.stringify` writes (not `\u`, `\/`). */
function plainLiteral(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = bytes[i] as number
    if (c < 0x20 || c === 0x22 || c >= 0x80) return false
    if (c === 0x5c) {
      const next = i + 1 < end ? (bytes[i + 1] as number) : 0
      // " \ b f n r t
      if (
        !(
          next === 0x22 ||
          next === 0x5c ||
          next === 0x62 ||
          next === 0x66 ||
          next === 0x6e ||
          next === 0x72 ||
          next === 0x74
        )
      )
        return false
      i++
    }
  }
  return true
}

export class TextDeltaLane {
  private readonly prefix: Buffer
  private readonly suffix: Buffer
  private headIndex = -1
  private head = Buffer.alloc(0)

  /** `prefix`/`suffix`: the learned chunk text before and after the content literal's inside. */
  constructor(prefix: string, suffix: string) {
    this.prefix = Buffer.from(`data: ${prefix}`)
    this.suffix = Buffer.from(`${suffix}\n\n`)
  }

  /**
   * Translates the events at the start of `bytes` it can take into `out` (pieces to join), for the open text
   * block `index`; returns the offset of the first event it left.
   */
  take(bytes: Buffer, index: number, out: Buffer[]): number {
    if (index !== this.headIndex) {
      this.headIndex = index
      this.head = Buffer.from(
        `event: content_block_delta\ndata: {"type":"content_block_delta","index":${index},"delta":{"type":"text_delta","text":"`,
      )
    }
    const { prefix, suffix } = this
    let at = 0
    while (bytes.length - at > prefix.length + suffix.length) {
      if (bytes.compare(prefix, 0, prefix.length, at, at + prefix.length) !== 0) break
      const literal = at + prefix.length
      const end = bytes.indexOf(10, literal) + 2 // past the line end and the blank line
      const literalEnd = end - suffix.length
      if (end < 2 || end > bytes.length || literalEnd <= literal) break
      if (bytes.compare(suffix, 0, suffix.length, literalEnd, end) !== 0) break
      if (!plainLiteral(bytes, literal, literalEnd)) break
      out.push(this.head, bytes.subarray(literal, literalEnd), TAIL)
      at = end
    }
    return at
  }
}
