/**
 * One Anthropic Messages request -> one OpenAI chat-completions request body, in a provider's dialect.
 * `thinking`, `context_management`, `output_config`, `metadata`, `top_k` and `cache_control` are never
 * forwarded: the body is built from the fields OpenAI knows.
 */
import type { MessagesRequest } from '../../wire/anthropic-request.js'
import type { OpenAIChatRequest } from '../../wire/openai-schema.js'
import { convertToOpenAIMessages } from './convert-to-openai-messages.js'
import { convertToolChoice, convertTools } from './convert-tools.js'

/** How one OpenAI-compatible provider differs from the others. */
export interface OpenAIDialect {
  /** JSON Schema keywords the provider rejects in tool parameters. */
  dropSchemaKeys: ReadonlySet<string>
  /** Whether `image_url` parts are accepted. */
  images: boolean
  /** Send earlier thinking back as `reasoning_content`. */
  reasoningHistory: boolean
  /** OpenAI's newer models take `max_completion_tokens` and reject `max_tokens`. */
  maxTokensField: 'max_tokens' | 'max_completion_tokens'
  /** The largest output the model accepts, when known; `max_tokens` is clamped to it. */
  maxOutputTokens?: (model: string) => number | undefined
  /** The provider's reasoning setting for Anthropic's `thinking`; undefined drops it. */
  mapThinking?: (
    thinking: NonNullable<MessagesRequest['thinking']>,
    model: string,
  ) => Record<string, unknown> | undefined
}

export interface BuildOptions {
  upstreamModel: string
  /** A per-deployment limit from the config (`model_info.max_output_tokens` or `litellm_params.max_tokens`). */
  maxOutputTokens?: number
}

export function buildOpenAIRequest(
  request: MessagesRequest,
  dialect: OpenAIDialect,
  options: BuildOptions,
): OpenAIChatRequest {
  const stream = request.stream === true
  const limits = [
    request.max_tokens,
    options.maxOutputTokens,
    dialect.maxOutputTokens?.(options.upstreamModel),
  ]
  const maxTokens = Math.min(...limits.filter((n): n is number => n !== undefined))
  const body: OpenAIChatRequest = {
    model: options.upstreamModel,
    messages: convertToOpenAIMessages(request.system, request.messages, {
      images: dialect.images,
      reasoningHistory: dialect.reasoningHistory,
    }),
    stream,
    [dialect.maxTokensField]: maxTokens,
  }
  if (stream) body.stream_options = { include_usage: true }
  const tools = convertTools(request.tools, dialect.dropSchemaKeys)
  if (tools.length > 0) {
    body.tools = tools
    Object.assign(body, convertToolChoice(request.tool_choice))
  }
  if (request.stop_sequences !== undefined && request.stop_sequences.length > 0)
    body.stop = request.stop_sequences
  if (request.temperature !== undefined) body.temperature = request.temperature
  if (request.top_p !== undefined) body.top_p = request.top_p
  if (request.thinking !== undefined && dialect.mapThinking) {
    Object.assign(body, dialect.mapThinking(request.thinking, options.upstreamModel) ?? {})
  }
  return body
}
