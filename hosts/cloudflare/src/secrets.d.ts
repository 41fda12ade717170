/** The Worker's secrets (`wrangler secret put NAME`), which `wrangler types` cannot see in wrangler.jsonc. */
declare namespace Cloudflare {
  interface Env {
    /** Signs the containers' router tokens; 32+ characters. */
    SESSION_TOKEN_SECRET: string
    /** When set, every route but /health asks for it (Authorization: Bearer, or ?token= on the WebSocket). */
    AUTH_TOKEN?: string
    GROQ_API_KEY?: string
    OPENROUTER_API_KEY?: string
    ANTHROPIC_API_KEY?: string
    OPENAI_API_KEY?: string
  }
}
