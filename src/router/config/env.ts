/** The environment variables secrets are read from (`os.environ/NAME`, GROQ_API_KEY…): given by the host. */
export type Env = Readonly<Record<string, string | undefined>>

const ENV_REF = 'os.environ/'

/**
 * The environment with the config's `environment_variables` set over it, as LiteLLM sets them into
 * `os.environ` at startup (a value may itself be `os.environ/NAME`). Only the router sees them.
 */
export function withConfigEnvironment(vars: Readonly<Record<string, string>>, env: Env): Env {
  const out: Record<string, string | undefined> = { ...env }
  for (const [name, value] of Object.entries(vars)) {
    out[name] = value.startsWith(ENV_REF) ? env[value.slice(ENV_REF.length)] : value
  }
  return out
}
