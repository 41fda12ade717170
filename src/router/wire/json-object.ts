/**
 * A JSON object whose keys the router does not look at (a tool's JSON Schema), kept as received.
 */
import { z } from 'zod'

/**
 * Accepts, rejects and copies the same JSON values as `z.record(z.string(), z.unknown())` (every parsed JSON
 * object is a plain object with string keys), in a quarter of the time: the record schema checks each key
 * through the key schema and a number pattern, which costs ~1 µs per tool on every request. Only the wording
 * of a rejection differs ("expected object", not "expected record").
 */
export const JsonObject = z.looseObject({})
