import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { latestSchemaVersion, migrate, schemaDir, schemaVersion } from '../../src/logindex/migrate.js'
import { openDb } from '../../src/logindex/openDb.js'

test('finds schema/sqlite from the compiled file and applies it once', () => {
  assert.ok(existsSync(join(schemaDir(), '001_init.sql')))
  const db = openDb(':memory:')
  assert.is(schemaVersion(db), 0)
  assert.is(migrate(db), latestSchemaVersion())
  assert.is(migrate(db), latestSchemaVersion(), 'idempotent')
  assert.ok(latestSchemaVersion() >= 1)
  db.close()
})

test.run()
