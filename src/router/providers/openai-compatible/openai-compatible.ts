/**
 * The shared OpenAI-compatible provider: translates the Anthropic request into a chat-completions request in
 * the provider's dialect, and the answer (SSE or JSON) back. Each provider file only states its differences.
 */

import { AppError } from '../../../protocol/errors.js'
import { type ProviderName, type ProviderQuirks, providerVariables } from '../../config/provider-names.js'
import { jsonUsage } from '../../usage/usage-tap.js'
import type { OpenAIChatBody } from '../../wire/openai-chat-request.js'
import { parseCompletion } from '../../wire/openai-schema.js'
import { deploymentBody } from '../deployment-body.js'
import { rewriteModelField } from '../rewrite-model-field.js'
import {
  type ChatProviderCall,
  displayUrl,
  jsonAnswer,
  type Provider,
  type ProviderAnswer,
  type ProviderCall,
  type UpstreamCall,
} from '../types.js'
import { readText, type UpstreamAnswer } from '../upstream.js'
import { postUpstream } from '../upstream-error.js'
import { buildOpenAIRequest, type OpenAIDialect } from './build-openai-request.js'
import { cleanJsonSchema } from './clean-json-schema.js'
import { openAIResponseToAnthropic } from './openai-response-to-anthropic.js'
import { openAIStreamToAnthropic } from './openai-stream-to-anthropic.js'

/** A catalog row's quirks as the translator's dialect. */
export function dialectOf(quirks: ProviderQuirks = {}): OpenAIDialect {
  const limits = quirks.maxOutputTokens
  return {
    dropSchemaKeys: new Set(['$schema', ...(quirks.dropSchemaKeys ?? [])]),
    images: quirks.noImages !== true,
    reasoningHistory: quirks.reasoningHistory === true,
    maxTokensField: quirks.maxCompletionTokens === true ? 'max_completion_tokens' : 'max_tokens',
    ...(limits !== undefined && { maxOutputTokens: (model: string) => limits[model] }),
    ...(quirks.reasoningMaxTokens === true && {
      mapThinking: (thinking: { type: string; budget_tokens?: number | undefined }) =>
        thinking.type === 'enabled' && thinking.budget_tokens !== undefined
          ? { reasoning: { max_tokens: thinking.budget_tokens } }
          : undefined,
    }),
  }
}

export const SSE_HEADERS: Record<string, string> = {
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
 * Azure OpenAI: `https://res.openai.azure.com` -> `…/openai/deployments/<deployment>/chat/completions?api-version=…`
 * (a base already naming the deployment, or the full URL, is kept; `api-version` is added when missing).
 */
export function azureChatUrl(base: string, deployment: string, apiVersion: string): string {
  let url = base.replace(/\/+$/, '')
  if (!url.includes('/openai/deployments/'))
    url = `${url}/openai/deployments/${encodeURIComponent(deployment)}`
  url = chatCompletionsUrl(url.replace(/\?.*$/, ''))
  const query = new URL(base).searchParams
  if (!query.has('api-version')) query.set('api-version', apiVersion)
  return `${url}?${query.toString()}`
}

/** The model name the provider knows: the row's `modelPrefix` (Fireworks) before a name without a `/`. */
function upstreamName(quirks: ProviderQuirks, model: string): string {
  return quirks.modelPrefix !== undefined && !model.includes('/') ? `${quirks.modelPrefix}${model}` : model
}

/** The tools with the schema keywords the provider rejects removed; undefined when nothing changes. */
function cleanedTools(request: OpenAIChatBody, dialect: OpenAIDialect): OpenAIChatBody['tools'] {
  const tools = request.tools
  if (!tools || tools.length === 0 || dialect.dropSchemaKeys.size === 0) return undefined
  return tools.map((t) =>
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
}

/**
 * The client's chat-completions body for the provider: the model name rewritten in place, or, when the tool
 * schemas need cleaning or the deployment adds defaults or `extra_body`, the body re-serialised with them.
 */
function chatPassThroughBody(
  call: ChatProviderCall,
  dialect: OpenAIDialect,
  model: string,
  rejected: readonly string[] | undefined,
): string {
  const tools = cleanedTools(call.request, dialect)
  const withDefaults = deploymentBody(call.target.deployment, call.request, undefined, rejected)
  if (tools === undefined && withDefaults === undefined) {
    if (model === call.request.model) return call.rawBody
    return rewriteModelField(call.rawBody, model) ?? JSON.stringify({ ...call.request, model })
  }
  return JSON.stringify({ ...(withDefaults ?? call.request), model, ...(tools !== undefined && { tools }) })
}

/** The provider of catalog row `name`: its address, auth and dialect come from the row. */
export function openAICompatibleProvider(name: ProviderName): Provider {
  const row = providerVariables(name)
  const quirks = row.quirks ?? {}
  const dialect = dialectOf(quirks)
  const describe = (call: UpstreamCall) => ({
    describe: `${name} at ${displayUrl(call.apiBase)}`,
    secrets: [call.apiKey],
  })
  const url = (call: UpstreamCall, model: string) =>
    row.api === 'azure'
      ? azureChatUrl(call.apiBase, model, call.target.apiVersion ?? '')
      : chatCompletionsUrl(call.apiBase)
  function post(call: UpstreamCall, body: string, stream: boolean, model: string): Promise<UpstreamAnswer> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: stream ? 'text/event-stream' : 'application/json',
      ...quirks.headers,
      ...call.target.headers,
    }
    if (call.apiKey && row.api === 'azure') headers['api-key'] = call.apiKey
    else if (call.apiKey) headers.authorization = `Bearer ${call.apiKey}`
    return postUpstream(call, url(call, model), headers, body, describe(call))
  }
  return {
    name,
    async chatCompletions(call: ChatProviderCall): Promise<ProviderAnswer> {
      const stream = call.request.stream === true
      const model = upstreamName(quirks, call.target.upstreamModel)
      const response = await post(
        call,
        chatPassThroughBody(call, dialect, model, quirks.rejectedParams),
        stream,
        model,
      )
      const contentType = response.headers.get('content-type') ?? 'application/json'
      if (stream) {
        call.observer.readSseUsage('openai')
        const headers = { 'content-type': contentType, 'cache-control': 'no-cache' }
        return { status: response.status, headers, body: response.body }
      }
      const text = await readText(response.body)
      call.observer.usage(jsonUsage('openai', text))
      return { status: response.status, headers: { 'content-type': contentType }, body: text }
    },
    async send(call: ProviderCall): Promise<ProviderAnswer> {
      const { deployment } = call.target
      const upstreamModel = upstreamName(quirks, call.target.upstreamModel)
      const body = buildOpenAIRequest(call.request, dialect, {
        upstreamModel,
        maxOutputTokens: deployment.modelInfo?.max_output_tokens ?? deployment.params.max_tokens,
      })
      const ctx = describe(call)
      const sent = deploymentBody(deployment, body, undefined, quirks.rejectedParams) ?? body
      const response = await post(call, JSON.stringify(sent), body.stream, upstreamModel)

      if (body.stream) {
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
                { provider: name, model: upstreamModel, tools: summary.invalidToolArguments },
                'tool call arguments were not a JSON object; sent {} instead',
              )
            }
            if (summary.error)
              call.logger.warn(
                { provider: name, model: upstreamModel, error: summary.error },
                'stream failed',
              )
          },
        })
        return { status: 200, headers: SSE_HEADERS, body: stream }
      }

      let json: unknown
      try {
        json = JSON.parse(await readText(response.body))
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
      return jsonAnswer(message)
    },
  }
}
