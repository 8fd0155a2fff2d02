import { LogStore } from '../../src/logindex/logStore.js'
import { migrate } from '../../src/logindex/migrate.js'
import { openDb } from '../../src/logindex/openDb.js'

/** A migrated in-memory index with its writer. Close with `store.db.close()`. */
export function memoryStore(): LogStore {
  const db = openDb(':memory:')
  migrate(db)
  return new LogStore(db)
}
