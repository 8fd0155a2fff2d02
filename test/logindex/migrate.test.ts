import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { latestSchemaVersion, migrate, schemaDir, schemaVersion } from '../../src/logindex/migrate.js'
import { openDb } from '../../src/logindex/openDb.js'
import { DUMP } from '../../src/logindex/statements.js'

test('finds schema/sqlite from the compiled file and applies it once', () => {
  assert.ok(existsSync(join(schemaDir(), '001_init.sql')))
  const db = openDb(':memory:')
  assert.is(schemaVersion(db), 0)
  assert.is(migrate(db), latestSchemaVersion())
  assert.is(migrate(db), latestSchemaVersion(), 'idempotent')
  assert.ok(latestSchemaVersion() >= 1)
  db.close()
})

test('a version-1 index keeps every log through version 2 (log_hash dropped) and stays readable', () => {
  const v1 = mkdtempSync(join(tmpdir(), 'sg-schema-v1-'))
  const file = join(v1, 'index.db')
  try {
    copyFileSync(join(schemaDir(), '001_init.sql'), join(v1, '001_init.sql'))
    let db = openDb(file)
    assert.is(migrate(db, v1), 1)
    db.prepare("INSERT INTO chains (chain_id, ready) VALUES ('901', 1)").run()
    db.prepare('INSERT INTO blocks VALUES (1, 7, ?, ?, 1700000000)').run(Buffer.alloc(32, 1), Buffer.alloc(32, 2))
    const insert = db.prepare('INSERT INTO logs VALUES (1, 7, ?, ?, ?, 1700000000)')
    for (let i = 0; i < 3; i++) insert.run(i, Buffer.alloc(32, 10 + i), Buffer.alloc(32, 20 + i))
    db.close()

    db = openDb(file)
    assert.is(migrate(db), latestSchemaVersion())
    assert.ok(latestSchemaVersion() >= 2)
    const columns = (db.pragma('table_info(logs)') as { name: string }[]).map((c) => c.name)
    assert.equal(columns, ['chain', 'block_number', 'log_index', 'checksum', 'timestamp'])
    const rows = db.prepare(DUMP.logs).all() as { log_index: bigint; checksum: Buffer; timestamp: bigint }[]
    assert.equal(
      rows.map((r) => [r.log_index, r.checksum.equals(Buffer.alloc(32, 10 + Number(r.log_index))), r.timestamp]),
      [
        [0n, true, 1_700_000_000n],
        [1n, true, 1_700_000_000n],
        [2n, true, 1_700_000_000n],
      ],
    )
    assert.equal(db.pragma('integrity_check'), [{ integrity_check: 'ok' }])
    db.close()
  } finally {
    rmSync(v1, { recursive: true, force: true })
  }
})

test.run()
