/**
 * Which provider serves a `litellm_params` entry, the way LiteLLM's `get_llm_provider` decides: the
 * `custom_llm_provider` field, else the model's prefix (`groq/…`), else an `api_base` at a known provider's
 * address, else the bare model name's family (`gpt-*` and `o1…` -> openai, `claude-*` -> anthropic,
 * `command-*` -> cohere). An entry no row can serve gets a reason a person can act on, and is disabled.
 */
import {
  PROVIDER_NAMES,
  type ProviderName,
  providerOfPrefix,
  providerVariables,
  splitProviderModel,
} from './provider-names.js'

export type ProviderResolution =
  | { ok: true; provider: ProviderName; model: string }
  | { ok: false; reason: string }

/** LiteLLM providers that are not reached over an OpenAI-compatible or Anthropic API, and why. */
const UNSERVED: Record<string, string> = {
  bedrock: 'AWS Bedrock needs SigV4-signed requests',
  bedrock_converse: 'AWS Bedrock needs SigV4-signed requests',
  sagemaker: 'AWS SageMaker needs SigV4-signed requests',
  sagemaker_chat: 'AWS SageMaker needs SigV4-signed requests',
  vertex_ai: 'Vertex AI needs Google Cloud credentials (use gemini/ with a GEMINI_API_KEY instead)',
  vertex_ai_beta: 'Vertex AI needs Google Cloud credentials (use gemini/ with a GEMINI_API_KEY instead)',
  palm: 'PaLM is retired (use gemini/)',
  huggingface: "Hugging Face's inference API is not OpenAI-compatible here",
  replicate: "Replicate's prediction API is not OpenAI-compatible",
  watsonx: "IBM watsonx's API is not OpenAI-compatible",
  watsonx_text: "IBM watsonx's API is not OpenAI-compatible",
  ai21: "AI21's completion API is not OpenAI-compatible",
  aleph_alpha: "Aleph Alpha's API is not OpenAI-compatible",
  nlp_cloud: "NLP Cloud's API is not OpenAI-compatible",
  petals: 'Petals runs in-process in LiteLLM',
  vllm: 'LiteLLM runs vllm/ in-process; a vLLM server is hosted_vllm/',
  baseten: "Baseten's API is not OpenAI-compatible here",
  predibase: "Predibase's API is not OpenAI-compatible",
  clarifai: "Clarifai's API is not OpenAI-compatible",
  triton: "Triton's API is not OpenAI-compatible",
  'text-completion-openai': 'the router serves chat models only',
  'text-completion-codestral': 'the router serves chat models only',
}

/** Bare model names LiteLLM maps to a provider by name (its `open_ai_chat_completion_models`, …). */
const BARE_FAMILIES: { test: RegExp; provider: ProviderName }[] = [
  { test: /^(gpt-|chatgpt-|ft:gpt-|o\d(-|$)|codex-|computer-use-)/, provider: 'openai' },
  { test: /^claude-/, provider: 'anthropic' },
  { test: /^command(-|$)/, provider: 'cohere' },
]

const BARE_HINTS: { test: RegExp; hint: string }[] = [
  {
    test: /^gemini-/,
    hint: 'LiteLLM sends a bare gemini-* name to Vertex AI; write gemini/<name> for Google AI Studio',
  },
  {
    test: /^(mistral|codestral|magistral|devstral|ministral|pixtral|open-mistral)/,
    hint: 'write mistral/<name>',
  },
  {
    test: /^(llama|qwen|phi|gemma|deepseek-r1|mixtral)/,
    hint: 'write ollama/<name> for a local Ollama, or the provider prefix that hosts it',
  },
]

/** The provider whose default address has the same host as `apiBase` (`https://api.groq.com/…` -> groq). */
function providerAt(apiBase: string): ProviderName | undefined {
  if (!URL.canParse(apiBase)) return undefined
  const host = new URL(apiBase).host
  return PROVIDER_NAMES.find((name) => {
    const base = providerVariables(name).defaultBase
    return (
      base !== undefined &&
      !base.includes('{') &&
      !providerVariables(name).keyless &&
      new URL(base).host === host
    )
  })
}

function served(provider: ProviderName, model: string): ProviderResolution {
  if (model === '') return { ok: false, reason: `'${provider}/' has no model name after it` }
  return { ok: true, provider, model }
}

export function resolveProvider(params: {
  model: string
  custom_llm_provider?: string | undefined
  api_base?: string | undefined
}): ProviderResolution {
  const { model } = params
  const custom = params.custom_llm_provider
  const full = custom !== undefined && !model.startsWith(`${custom}/`) ? `${custom}/${model}` : model
  const { provider: prefix, model: rest } = splitProviderModel(full)
  const own = providerOfPrefix(prefix)
  if (own !== undefined) return served(own, rest)
  const unserved = UNSERVED[prefix]
  if (unserved !== undefined)
    return { ok: false, reason: `'${prefix}/' is not served by agent-router: ${unserved}` }
  const bare = full
  if (params.api_base !== undefined) {
    const at = providerAt(params.api_base)
    if (at !== undefined) return served(at, bare)
  }
  if (bare === '*') return served('openai', '*')
  const family = BARE_FAMILIES.find((f) => f.test.test(bare))
  if (family !== undefined) return served(family.provider, bare)
  const hint = BARE_HINTS.find((h) => h.test.test(bare))?.hint
  const what =
    prefix === ''
      ? `no provider can be inferred from the bare model name '${bare}'`
      : `'${prefix}/' is not a provider prefix agent-router serves`
  return {
    ok: false,
    reason: `${what}; ${hint ?? 'start it with a provider prefix such as openai/, groq/ or ollama/'}`,
  }
}
