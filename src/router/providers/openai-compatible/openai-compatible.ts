/**
 * The shared OpenAI-compatible provider: translates the Anthropic request into a chat-completions request in
 * the provider's dialect, and the answer (SSE or JSON) back. Each provider file only states its differences.
 */

import { AppError } from '../../../protocol/errors.js'
import type { Env } from '../../config/env.js'
import type { ProviderName } from '../../config/provider-names.js'
import { jsonUsage } from '../../usage/usage-tap.js'
import { parseCompletion } from '../../wire/openai-schema.js'
import { rewriteModelField } from '../rewrite-model-field.js'
import {
  type ChatProviderCall,
  displayUrl,
  type Provider,
  type ProviderCall,
  type UpstreamCall,
} from '../types.js'
import { upstreamConnectionError, upstreamHttpError } from '../upstream-error.js'
import { buildOpenAIRequest, type OpenAIDialect } from './build-openai-request.js'
import { cleanJsonSchema } from './clean-json-schema.js'
import { openAIResponseToAnthropic } from './openai-response-to-anthropic.js'
import { openAIStreamToAnthropic } from './openai-stream-to-anthropic.js'

export interface OpenAICompatibleSpec {
  name: ProviderName
  requiresKey: boolean
  defaultApiBase: (secrets: Env) => string | undefined
  dialect: Partial<OpenAIDialect>
  headers?: Record<string, string>
}

const BASE_DIALECT: OpenAIDialect = {
  dropSchemaKeys: new Set(['$schema']),
  images: true,
  reasoningHistory: false,
  maxTokensField: 'max_tokens',
}

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
}

/** `https://host/v1` -> `https://host/v1/chat/completions` (a full endpoint URL is kept). */
export function chatCompletionsUrl(base: string): string {
  const trimmed = base.replace(/\/+$/, '')
  return trimmed.endsWith('/chat/completions') ? trimmed : `${trimmed}/chat/completions`
}

/**
 * The client's chat-completions body for the provider: the model name rewritten in place and, when the body
 * has tools and the provider rejects some schema keywords, the tool schemas cleaned.
 */
function chatPassThroughBody(call: ChatProviderCall, dialect: OpenAIDialect): string {
  const tools = call.request.tools
  if (tools && tools.length > 0 && dialect.dropSchemaKeys.size > 0) {
    const cleaned = tools.map((t) =>
      t.function.parameters === undefined
        ? t
        : {
            ...t,
            function: {
              ...t.function,
              parameters: cleanJsonSchema(t.function.parameters, dialect.dropSchemaKeys),
            },
          },
    )
    return JSON.stringify({ ...call.request, model: call.target.upstreamModel, tools: cleaned })
  }
  if (call.target.upstreamModel === call.request.model) return call.rawBody
  return (
    rewriteModelField(call.rawBody, call.target.upstreamModel) ??
    JSON.stringify({ ...call.request, model: call.target.upstreamModel })
  )
}

export function openAICompatibleProvider(spec: OpenAICompatibleSpec): Provider {
  const dialect: OpenAIDialect = { ...BASE_DIALECT, ...spec.dialect }
  const describe = (call: UpstreamCall) => ({
    describe: `${spec.name} at ${displayUrl(call.apiBase)}`,
    secrets: [call.apiKey],
  })
  async function post(call: UpstreamCall, body: string, stream: boolean): Promise<Response> {
    const ctx = describe(call)
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: stream ? 'text/event-stream' : 'application/json',
      ...spec.headers,
    }
    if (call.apiKey) headers.authorization = `Bearer ${call.apiKey}`
    let response: Response
    try {
      response = await call.fetch(chatCompletionsUrl(call.apiBase), {
        method: 'POST',
        headers,
        body,
        signal: call.signal,
      })
    } catch (err) {
      throw upstreamConnectionError(err, ctx)
    }
    if (!response.ok) throw await upstreamHttpError(response, ctx)
    return response
  }
  return {
    name: spec.name,
    requiresKey: spec.requiresKey,
    defaultApiBase: spec.defaultApiBase,
    async chatCompletions(call: ChatProviderCall): Promise<Response> {
      const stream = call.request.stream === true
      const response = await post(call, chatPassThroughBody(call, dialect), stream)
      const contentType = response.headers.get('content-type') ?? 'application/json'
      if (stream && response.body) {
        call.observer.readSseUsage('openai')
        const headers = { 'content-type': contentType, 'cache-control': 'no-cache' }
        return new Response(response.body, { status: response.status, headers })
      }
      const text = await response.text()
      call.observer.usage(jsonUsage('openai', text))
      return new Response(text, { status: response.status, headers: { 'content-type': contentType } })
    },
    async send(call: ProviderCall): Promise<Response> {
      const { deployment, upstreamModel } = call.target
      const body = buildOpenAIRequest(call.request, dialect, {
        upstreamModel,
        maxOutputTokens: deployment.modelInfo?.max_output_tokens ?? deployment.params.max_tokens,
      })
      const ctx = describe(call)
      const response = await post(call, JSON.stringify(body), body.stream)

      if (body.stream) {
        if (!response.body)
          throw new AppError('api_error', `${ctx.describe} answered without a body`, { status: 502 })
        const stream = openAIStreamToAnthropic(response.body, {
          requestedModel: call.requestedModel,
          describe: ctx.describe,
          onEnd: (summary) => {
            call.observer.usage({
              inputTokens: summary.usage.input_tokens,
              outputTokens: summary.usage.output_tokens,
              cacheReadTokens: summary.usage.cache_read_input_tokens ?? 0,
            })
            if (summary.error) call.observer.streamError(summary.error)
            if (summary.invalidToolArguments.length > 0) {
              call.logger.warn(
                { provider: spec.name, model: upstreamModel, tools: summary.invalidToolArguments },
                'tool call arguments were not a JSON object; sent {} instead',
              )
            }
            if (summary.error)
              call.logger.warn(
                { provider: spec.name, model: upstreamModel, error: summary.error },
                'stream failed',
              )
          },
        })
        return new Response(stream, { status: 200, headers: SSE_HEADERS })
      }

      let json: unknown
      try {
        json = await response.json()
      } catch (err) {
        if (err instanceof AppError) throw err
        throw new AppError('api_error', `${ctx.describe} answered with invalid JSON`, {
          status: 502,
          cause: err,
        })
      }
      const parsed = parseCompletion(json)
      if (!parsed) {
        throw new AppError('api_error', `${ctx.describe} answered with an unexpected response shape`, {
          status: 502,
        })
      }
      const message = openAIResponseToAnthropic(parsed, call.requestedModel)
      call.observer.usage({
        inputTokens: message.usage.input_tokens,
        outputTokens: message.usage.output_tokens,
        cacheReadTokens: message.usage.cache_read_input_tokens ?? 0,
      })
      return Response.json(message)
    },
  }
}
