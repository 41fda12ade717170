/** The SessionStore contract (src/store/session-store-contract.ts) on a Durable Object's SQLite in workerd. */
import { env, runInDurableObject } from 'cloudflare:test'
import { sessionStoreContract } from '../../../src/store/session-store-contract.js'
import { SqlSessionStore } from '../../../src/store/sql-session-store.js'
import { durableObjectDatabase } from '../src/do-sql-database.js'

/** The storage of the object the current case runs in. */
let storage: DurableObjectStorage | undefined

sessionStoreContract(
  'Durable Object SQLite',
  () => ({
    open: (now) => new SqlSessionStore(durableObjectDatabase(storage!), now === undefined ? {} : { now }),
    reopen: (now) => new SqlSessionStore(durableObjectDatabase(storage!), now === undefined ? {} : { now }),
  }),
  // Each case in a new object, so on an empty database.
  (body) =>
    runInDurableObject(env.AGENT.get(env.AGENT.newUniqueId()), (_instance, state) => {
      storage = state.storage
      try {
        body()
      } finally {
        storage = undefined
      }
    }),
)
