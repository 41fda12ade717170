/**
 * Anthropic `tools` and `tool_choice` -> OpenAI `tools`, `tool_choice` and `parallel_tool_calls`
 * (conformance cases 19-20). Server tools without an input schema cannot run on another provider and are left out.
 */
import type { ToolChoice, ToolDefinition } from '../../wire/anthropic-request.js'
import type { OpenAITool, OpenAIToolChoice } from '../../wire/openai-schema.js'
import { cleanJsonSchema } from './clean-json-schema.js'

export function convertTools(
  tools: ToolDefinition[] | undefined,
  dropSchemaKeys: ReadonlySet<string>,
): OpenAITool[] {
  const out: OpenAITool[] = []
  for (const tool of tools ?? []) {
    if (tool.input_schema === undefined) continue
    out.push({
      type: 'function',
      function: {
        name: tool.name,
        ...(tool.description === undefined ? {} : { description: tool.description }),
        parameters: cleanJsonSchema(tool.input_schema, dropSchemaKeys),
      },
    })
  }
  return out
}

export interface ConvertedToolChoice {
  tool_choice?: OpenAIToolChoice
  parallel_tool_calls?: boolean
}

/** `auto`->`auto`, `any`->`required`, `tool`->the named function, `none`->`none`. */
export function convertToolChoice(choice: ToolChoice | undefined): ConvertedToolChoice {
  if (choice === undefined) return {}
  const parallel =
    'disable_parallel_tool_use' in choice && choice.disable_parallel_tool_use === true
      ? { parallel_tool_calls: false }
      : {}
  switch (choice.type) {
    case 'auto':
      return { tool_choice: 'auto', ...parallel }
    case 'any':
      return { tool_choice: 'required', ...parallel }
    case 'tool':
      return { tool_choice: { type: 'function', function: { name: choice.name } }, ...parallel }
    case 'none':
      return { tool_choice: 'none' }
  }
}
