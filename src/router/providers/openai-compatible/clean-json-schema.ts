/**
 * Tool input schemas cleaned for a provider (conformance case 19): drops the JSON Schema keywords the provider
 * rejects (Groq: `$schema`; some: `format`, `propertyNames`) at every depth, without touching property names
 * that happen to be spelled like a keyword, and makes the top level a well-formed object schema.
 */

/** Keywords whose value is a map from names to schemas: their keys are names, not keywords. */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas'])

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function clean(value: unknown, drop: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((v) => clean(v, drop))
  if (!isRecord(value)) return value
  const out: Record<string, unknown> = {}
  for (const [key, child] of Object.entries(value)) {
    if (drop.has(key)) continue
    if (SCHEMA_MAPS.has(key) && isRecord(child)) {
      out[key] = Object.fromEntries(Object.entries(child).map(([name, s]) => [name, clean(s, drop)]))
    } else {
      out[key] = clean(child, drop)
    }
  }
  return out
}

/** A copy of `schema` without the `drop` keywords, with `type: 'object'` and `properties` at the top. */
export function cleanJsonSchema(
  schema: Record<string, unknown> | undefined,
  drop: ReadonlySet<string>,
): Record<string, unknown> {
  const cleaned = clean(schema ?? {}, drop) as Record<string, unknown>
  if (cleaned.type === undefined) cleaned.type = 'object'
  if (cleaned.type === 'object' && !isRecord(cleaned.properties)) cleaned.properties = {}
  return cleaned
}
