/** The environment variables secrets are read from (`os.environ/NAME`, GROQ_API_KEY…): given by the host. */
export type Env = Readonly<Record<string, string | undefined>>
