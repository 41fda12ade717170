/**
 * Every provider plugin, keyed by the prefix of `litellm_params.model`: one per row of the catalog
 * (`config/provider-catalog.ts`), made from the row's `api` and quirks.
 */

import { PROVIDER_NAMES, type ProviderName, providerVariables } from '../config/provider-names.js'
import { anthropic } from './anthropic/anthropic.js'
import { openAICompatibleProvider } from './openai-compatible/openai-compatible.js'
import type { Provider } from './types.js'

function providerFor(name: ProviderName): Provider {
  return providerVariables(name).api === 'anthropic' ? anthropic : openAICompatibleProvider(name)
}

export const PROVIDERS = Object.fromEntries(
  PROVIDER_NAMES.map((name) => [name, providerFor(name)]),
) as Record<ProviderName, Provider>
