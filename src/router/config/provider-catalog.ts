/**
 * Every provider the router reaches, one row each, keyed by the prefix of `litellm_params.model`
 * (`groq/openai/gpt-oss-120b` -> `groq`): how it is called, its default address, the environment variables it
 * reads and how its OpenAI dialect differs. Names, addresses and variables follow LiteLLM's own
 * (`get_llm_provider_logic.py`, `llms/<provider>/`, `llms/openai_like/providers.json`). The one list: the
 * router's plugins, the built-in routes, the server's "configured providers" and the check that no provider key
 * enters a sandbox are all made from it (through `provider-names.ts`). Adding a provider is adding a row.
 */

/** How a provider differs from plain OpenAI chat completions; read by the OpenAI-compatible translator. */
export interface ProviderQuirks {
  /** JSON Schema keywords the provider rejects in tool parameters (`$schema` is always dropped). */
  dropSchemaKeys?: readonly string[]
  /** No `image_url` parts: images become a text note. */
  noImages?: true
  /** Earlier thinking must be sent back as `reasoning_content` (DeepSeek answers 400 without it). */
  reasoningHistory?: true
  /** Takes `max_completion_tokens` and rejects `max_tokens` (OpenAI's current models). */
  maxCompletionTokens?: true
  /** Published output limits by upstream model; `max_tokens` is clamped to them. */
  maxOutputTokens?: Readonly<Record<string, number>>
  /** Anthropic's `thinking.budget_tokens` as OpenRouter's `reasoning.max_tokens` (otherwise dropped). */
  reasoningMaxTokens?: true
  /** Sent with every request. */
  headers?: Readonly<Record<string, string>>
  /** Put before an upstream model name that has no `/` (Fireworks' `accounts/fireworks/models/`). */
  modelPrefix?: string
  /** Request parameters the provider answers 400 to; removed when `drop_params` is on (LiteLLM's). */
  rejectedParams?: readonly string[]
}

export interface ProviderRow {
  /**
   * `anthropic`: the Messages API passed through. `openai`: OpenAI chat completions at `<base>/chat/completions`
   * with `Authorization: Bearer`. `azure`: `<base>/openai/deployments/<model>/chat/completions?api-version=…`
   * with `api-key`.
   */
  api: 'anthropic' | 'openai' | 'azure'
  /** Holds the key when the router config gives none. */
  keyVariable: string
  /** Further variables LiteLLM reads the key from, tried after `keyVariable`. */
  moreKeyVariables?: readonly string[]
  /** Moves the provider's default address (a local server, a proxy); LiteLLM's `<PROVIDER>_API_BASE`. */
  baseVariable: string
  /**
   * The address when neither `api_base` nor `baseVariable` gives one; `{NAME}` is filled from the environment
   * (Cloudflare's account id). Absent: the entry must give `api_base`.
   */
  defaultBase?: string
  /** Appended to every base URL that does not already end with it (Ollama's OpenAI API is under `/v1`). */
  basePath?: string
  /** Needs no key: setting `baseVariable` alone configures it. */
  keyless?: true
  /** A server on the user's own machines: its usage costs nothing. */
  local?: true
  /**
   * The model a session starts on when this is the first configured provider and DEFAULT_MODEL is unset;
   * absent for local servers, whose first listed model is taken instead.
   */
  defaultModel?: string
  /** Offered by name in the UI and the start summary even while not configured. */
  featured?: true
  /** Other prefixes LiteLLM has for the same API (`ollama_chat/`, `cohere_chat/`). */
  aliases?: readonly string[]
  quirks?: ProviderQuirks
}

export const PROVIDER_CATALOG = {
  groq: {
    api: 'openai',
    keyVariable: 'GROQ_API_KEY',
    baseVariable: 'GROQ_API_BASE',
    defaultBase: 'https://api.groq.com/openai/v1',
    defaultModel: 'groq/openai/gpt-oss-120b',
    featured: true,
    quirks: {
      dropSchemaKeys: ['propertyNames', 'format'],
      // https://console.groq.com/docs/openai: "will result in a 400 error if they are supplied".
      rejectedParams: ['logprobs', 'logit_bias', 'top_logprobs'],
      maxOutputTokens: {
        'openai/gpt-oss-120b': 65536,
        'openai/gpt-oss-20b': 65536,
        'llama-3.3-70b-versatile': 32768,
        'llama-3.1-8b-instant': 131072,
        'moonshotai/kimi-k2-instruct': 16384,
        'moonshotai/kimi-k2-instruct-0905': 16384,
        'qwen/qwen3-32b': 40960,
      },
    },
  },
  openrouter: {
    api: 'openai',
    keyVariable: 'OPENROUTER_API_KEY',
    moreKeyVariables: ['OR_API_KEY'],
    baseVariable: 'OPENROUTER_API_BASE',
    defaultBase: 'https://openrouter.ai/api/v1',
    defaultModel: 'openrouter/qwen/qwen3-coder',
    featured: true,
    quirks: { reasoningMaxTokens: true, headers: { 'x-title': 'agent-router' } },
  },
  openai: {
    api: 'openai',
    keyVariable: 'OPENAI_API_KEY',
    baseVariable: 'OPENAI_API_BASE',
    defaultBase: 'https://api.openai.com/v1',
    defaultModel: 'openai/gpt-4.1',
    featured: true,
    quirks: { maxCompletionTokens: true },
  },
  ollama: {
    api: 'openai',
    keyVariable: 'OLLAMA_API_KEY',
    baseVariable: 'OLLAMA_API_BASE',
    defaultBase: 'http://localhost:11434',
    basePath: '/v1',
    keyless: true,
    local: true,
    featured: true,
    // LiteLLM's ollama_chat/ calls Ollama's native /api/chat; its OpenAI-compatible API serves both here.
    aliases: ['ollama_chat'],
  },
  anthropic: {
    api: 'anthropic',
    keyVariable: 'ANTHROPIC_API_KEY',
    baseVariable: 'ANTHROPIC_API_BASE',
    defaultBase: 'https://api.anthropic.com',
    defaultModel: 'anthropic/claude-sonnet-4-5',
    featured: true,
  },
  deepseek: {
    api: 'openai',
    keyVariable: 'DEEPSEEK_API_KEY',
    baseVariable: 'DEEPSEEK_API_BASE',
    defaultBase: 'https://api.deepseek.com/v1',
    defaultModel: 'deepseek/deepseek-chat',
    featured: true,
    quirks: {
      noImages: true,
      reasoningHistory: true,
      maxOutputTokens: { 'deepseek-chat': 8192, 'deepseek-reasoner': 65536 },
    },
  },
  hosted_vllm: {
    api: 'openai',
    keyVariable: 'HOSTED_VLLM_API_KEY',
    baseVariable: 'HOSTED_VLLM_API_BASE',
    keyless: true,
    local: true,
    featured: true,
  },
  azure: {
    api: 'azure',
    keyVariable: 'AZURE_API_KEY',
    moreKeyVariables: ['AZURE_OPENAI_API_KEY'],
    baseVariable: 'AZURE_API_BASE',
    quirks: { maxCompletionTokens: true },
  },
  mistral: {
    api: 'openai',
    keyVariable: 'MISTRAL_API_KEY',
    moreKeyVariables: ['MISTRAL_AZURE_API_KEY'],
    baseVariable: 'MISTRAL_API_BASE',
    defaultBase: 'https://api.mistral.ai/v1',
  },
  codestral: {
    api: 'openai',
    keyVariable: 'CODESTRAL_API_KEY',
    baseVariable: 'CODESTRAL_API_BASE',
    defaultBase: 'https://codestral.mistral.ai/v1',
  },
  gemini: {
    api: 'openai',
    keyVariable: 'GEMINI_API_KEY',
    moreKeyVariables: ['GOOGLE_API_KEY'],
    baseVariable: 'GEMINI_API_BASE',
    defaultBase: 'https://generativelanguage.googleapis.com/v1beta/openai',
    quirks: {
      dropSchemaKeys: ['additionalProperties', 'propertyNames', 'exclusiveMinimum', 'exclusiveMaximum'],
    },
  },
  cerebras: {
    api: 'openai',
    keyVariable: 'CEREBRAS_API_KEY',
    baseVariable: 'CEREBRAS_API_BASE',
    defaultBase: 'https://api.cerebras.ai/v1',
    quirks: { maxCompletionTokens: true },
  },
  cohere: {
    api: 'openai',
    keyVariable: 'COHERE_API_KEY',
    moreKeyVariables: ['CO_API_KEY'],
    baseVariable: 'COHERE_API_BASE',
    defaultBase: 'https://api.cohere.ai/compatibility/v1',
    aliases: ['cohere_chat'],
  },
  together_ai: {
    api: 'openai',
    keyVariable: 'TOGETHER_API_KEY',
    moreKeyVariables: ['TOGETHER_AI_API_KEY', 'TOGETHERAI_API_KEY', 'TOGETHER_AI_TOKEN'],
    baseVariable: 'TOGETHER_AI_API_BASE',
    aliases: ['togetherai'],
    defaultBase: 'https://api.together.xyz/v1',
  },
  fireworks_ai: {
    api: 'openai',
    keyVariable: 'FIREWORKS_API_KEY',
    moreKeyVariables: ['FIREWORKS_AI_API_KEY', 'FIREWORKSAI_API_KEY', 'FIREWORKS_AI_TOKEN'],
    baseVariable: 'FIREWORKS_API_BASE',
    defaultBase: 'https://api.fireworks.ai/inference/v1',
    quirks: { modelPrefix: 'accounts/fireworks/models/' },
  },
  xai: {
    api: 'openai',
    keyVariable: 'XAI_API_KEY',
    baseVariable: 'XAI_API_BASE',
    defaultBase: 'https://api.x.ai/v1',
  },
  perplexity: {
    api: 'openai',
    keyVariable: 'PERPLEXITYAI_API_KEY',
    moreKeyVariables: ['PERPLEXITY_API_KEY'],
    baseVariable: 'PERPLEXITY_API_BASE',
    aliases: ['perplexityai'],
    defaultBase: 'https://api.perplexity.ai',
  },
  nvidia_nim: {
    api: 'openai',
    keyVariable: 'NVIDIA_NIM_API_KEY',
    baseVariable: 'NVIDIA_NIM_API_BASE',
    defaultBase: 'https://integrate.api.nvidia.com/v1',
  },
  github: {
    api: 'openai',
    keyVariable: 'GITHUB_API_KEY',
    baseVariable: 'GITHUB_API_BASE',
    defaultBase: 'https://models.inference.ai.azure.com',
  },
  cloudflare: {
    api: 'openai',
    keyVariable: 'CLOUDFLARE_API_KEY',
    baseVariable: 'CLOUDFLARE_API_BASE',
    defaultBase: 'https://api.cloudflare.com/client/v4/accounts/{CLOUDFLARE_ACCOUNT_ID}/ai/v1',
  },
  deepinfra: {
    api: 'openai',
    keyVariable: 'DEEPINFRA_API_KEY',
    baseVariable: 'DEEPINFRA_API_BASE',
    defaultBase: 'https://api.deepinfra.com/v1/openai',
  },
  hyperbolic: {
    api: 'openai',
    keyVariable: 'HYPERBOLIC_API_KEY',
    baseVariable: 'HYPERBOLIC_API_BASE',
    defaultBase: 'https://api.hyperbolic.xyz/v1',
  },
  sambanova: {
    api: 'openai',
    keyVariable: 'SAMBANOVA_API_KEY',
    baseVariable: 'SAMBANOVA_API_BASE',
    defaultBase: 'https://api.sambanova.ai/v1',
  },
  lm_studio: {
    api: 'openai',
    keyVariable: 'LM_STUDIO_API_KEY',
    baseVariable: 'LM_STUDIO_API_BASE',
    defaultBase: 'http://localhost:1234/v1',
    keyless: true,
    local: true,
  },
  llamafile: {
    api: 'openai',
    keyVariable: 'LLAMAFILE_API_KEY',
    baseVariable: 'LLAMAFILE_API_BASE',
    defaultBase: 'http://127.0.0.1:8080/v1',
    keyless: true,
    local: true,
  },
  moonshot: {
    api: 'openai',
    keyVariable: 'MOONSHOT_API_KEY',
    baseVariable: 'MOONSHOT_API_BASE',
    defaultBase: 'https://api.moonshot.ai/v1',
    // Kimi's reasoning models answer 400 to a tool-call turn sent back without its reasoning_content.
    quirks: { reasoningHistory: true },
  },
  meta_llama: {
    api: 'openai',
    keyVariable: 'LLAMA_API_KEY',
    baseVariable: 'LLAMA_API_BASE',
    defaultBase: 'https://api.llama.com/compat/v1',
  },
  volcengine: {
    api: 'openai',
    keyVariable: 'VOLCENGINE_API_KEY',
    baseVariable: 'VOLCENGINE_API_BASE',
    defaultBase: 'https://ark.cn-beijing.volces.com/api/v3',
  },
  friendliai: {
    api: 'openai',
    keyVariable: 'FRIENDLIAI_API_KEY',
    moreKeyVariables: ['FRIENDLI_TOKEN'],
    baseVariable: 'FRIENDLI_API_BASE',
    defaultBase: 'https://api.friendli.ai/serverless/v1',
  },
  veniceai: {
    api: 'openai',
    keyVariable: 'VENICE_AI_API_KEY',
    baseVariable: 'VENICE_AI_API_BASE',
    defaultBase: 'https://api.venice.ai/api/v1',
  },
  scaleway: {
    api: 'openai',
    keyVariable: 'SCW_SECRET_KEY',
    baseVariable: 'SCALEWAY_API_BASE',
    defaultBase: 'https://api.scaleway.ai/v1',
    quirks: { rejectedParams: ['frequency_penalty', 'n', 'top_logprobs'] },
  },
  chutes: {
    api: 'openai',
    keyVariable: 'CHUTES_API_KEY',
    baseVariable: 'CHUTES_API_BASE',
    defaultBase: 'https://llm.chutes.ai/v1',
  },
  litellm_proxy: {
    api: 'openai',
    keyVariable: 'LITELLM_PROXY_API_KEY',
    baseVariable: 'LITELLM_PROXY_API_BASE',
    keyless: true,
  },
  openai_like: {
    api: 'openai',
    keyVariable: 'OPENAI_LIKE_API_KEY',
    baseVariable: 'OPENAI_LIKE_API_BASE',
    keyless: true,
  },
  custom_openai: {
    api: 'openai',
    keyVariable: 'CUSTOM_OPENAI_API_KEY',
    baseVariable: 'CUSTOM_OPENAI_API_BASE',
    keyless: true,
  },
} as const satisfies Record<string, ProviderRow>
