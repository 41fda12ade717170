/**
 * The shared OpenAI-compatible provider: translates the Anthropic request into a chat-completions request in
 * the provider's dialect, and the answer (SSE or JSON) back. Each provider file only states its differences.
 */
import type { Env } from '../../config/config.js'
import { AppError } from '../../protocol/errors.js'
import { buildOpenAIRequest, type OpenAIDialect } from '../build-openai-request.js'
import { openAIResponseToAnthropic } from '../openai-response-to-anthropic.js'
import { ChatCompletion } from '../openai-schema.js'
import { openAIStreamToAnthropic } from '../openai-stream-to-anthropic.js'
import { upstreamConnectionError, upstreamHttpError } from '../upstream-error.js'
import type { ProviderName } from './provider-names.js'
import { displayUrl, type Provider, type ProviderCall } from './types.js'

export interface OpenAICompatibleSpec {
  name: ProviderName
  keyVariable: string | undefined
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

export function openAICompatibleProvider(spec: OpenAICompatibleSpec): Provider {
  const dialect: OpenAIDialect = { ...BASE_DIALECT, ...spec.dialect }
  return {
    name: spec.name,
    keyVariable: spec.keyVariable,
    requiresKey: spec.requiresKey,
    defaultApiBase: spec.defaultApiBase,
    async send(call: ProviderCall): Promise<Response> {
      const { deployment, upstreamModel } = call.target
      const body = buildOpenAIRequest(call.request, dialect, {
        upstreamModel,
        maxOutputTokens: deployment.modelInfo?.max_output_tokens ?? deployment.params.max_tokens,
      })
      const ctx = { describe: `${spec.name} at ${displayUrl(call.apiBase)}`, secrets: [call.apiKey] }
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        accept: body.stream ? 'text/event-stream' : 'application/json',
        ...spec.headers,
      }
      if (call.apiKey) headers.authorization = `Bearer ${call.apiKey}`
      let response: Response
      try {
        response = await call.fetch(chatCompletionsUrl(call.apiBase), {
          method: 'POST',
          headers,
          body: JSON.stringify(body),
          signal: call.signal,
        })
      } catch (err) {
        throw upstreamConnectionError(err, ctx)
      }
      if (!response.ok) throw await upstreamHttpError(response, ctx)

      if (body.stream) {
        if (!response.body)
          throw new AppError('api_error', `${ctx.describe} answered without a body`, { status: 502 })
        const stream = openAIStreamToAnthropic(response.body, {
          requestedModel: call.requestedModel,
          describe: ctx.describe,
          onEnd: (summary) => {
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
        throw new AppError('api_error', `${ctx.describe} answered with invalid JSON`, {
          status: 502,
          cause: err,
        })
      }
      const parsed = ChatCompletion.safeParse(json)
      if (!parsed.success) {
        throw new AppError('api_error', `${ctx.describe} answered with an unexpected response shape`, {
          status: 502,
        })
      }
      return Response.json(openAIResponseToAnthropic(parsed.data, call.requestedModel))
    },
  }
}
