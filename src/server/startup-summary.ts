/**
 * What the terminal shows once the server listens: the URL, the providers found, the default model, what is
 * missing and the sandbox. Plain lines for a person at a terminal; one JSON log line otherwise.
 */
import { type ProviderName, providerVariables } from '../router/config/provider-names.js'
import type { Logger } from './logger.js'
import type { ServerInfo } from './routes/agent-routes.js'

export interface StartSummary {
  url: string
  dataDir: string
  sandbox: { name: string; isolated: boolean }
  defaultModel: string
  info: ServerInfo
}

/** `groq (GROQ_API_KEY)`; a local server names its address variable. */
function howToSet(name: string): string {
  const { keyVariable, baseVariable, keyless } = providerVariables(name as ProviderName)
  return `${name} (${keyless === true ? baseVariable : keyVariable})`
}

export function summaryLines(s: StartSummary): string[] {
  const found = s.info.providers.filter((p) => p.configured).map((p) => p.name)
  const missing = s.info.providers.filter((p) => !p.configured).map((p) => howToSet(p.name))
  return [
    `agent-router is running at ${s.url}`,
    `  providers:     ${found.length > 0 ? found.join(', ') : 'none configured'}`,
    `  default model: ${s.defaultModel}`,
    `  not set:       ${missing.length > 0 ? missing.join(', ') : '-'}`,
    `  sandbox:       ${s.sandbox.name}${s.sandbox.isolated ? '' : ' (NOT isolated)'}`,
    ...s.info.warnings.map((w) => `  ! ${w}`),
    `  data:          ${s.dataDir}`,
  ]
}

export function announceStart(
  s: StartSummary,
  logger: Logger,
  terminal: { write(text: string): unknown } | undefined,
): void {
  if (terminal !== undefined) {
    terminal.write(`\n${summaryLines(s).join('\n')}\n\n`)
    return
  }
  logger.info(
    {
      url: s.url,
      dataDir: s.dataDir,
      sandbox: s.sandbox.name,
      defaultModel: s.defaultModel,
      providers: s.info.providers.filter((p) => p.configured).map((p) => p.name),
      missing: s.info.providers.filter((p) => !p.configured).map((p) => howToSet(p.name)),
      warnings: s.info.warnings,
    },
    'agent-router listening',
  )
}
