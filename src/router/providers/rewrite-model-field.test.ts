import { describe, expect, it } from 'vitest'
import { rewriteModelField } from './rewrite-model-field.js'

describe('rewriteModelField', () => {
  it('rewrites only the top-level model and keeps every other byte', () => {
    const body =
      '{"messages":[{"content":"say \\"model\\": x"}],"tools":[{"model":"keep"}], "model" : "a/b" ,"n":1.50}'
    expect(rewriteModelField(body, 'b')).toBe(
      '{"messages":[{"content":"say \\"model\\": x"}],"tools":[{"model":"keep"}], "model" : "b" ,"n":1.50}',
    )
    expect(rewriteModelField('{"x":{"model":"a"}}', 'b')).toBeUndefined()
  })
})
