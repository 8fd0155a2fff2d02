import Database from 'better-sqlite3'
import { DUMP, PRAGMA, prepareStatements } from '../../src/logindex/statements.js'

type Row = { chain: bigint; number: bigint; hash: Buffer; parent_hash: Buffer }

/**
 * What is wrong with the index at `dbPath` (empty when consistent): SQLite integrity, stored
 * blocks contiguous and linked by parent hash, no logs or executing messages without their block,
 * unsafe head = highest stored block, every other head at or below it.
 */
export function indexIntegrity(dbPath: string): string[] {
  const db = new Database(dbPath, { readonly: true })
  db.defaultSafeIntegers(true)
  try {
    const problems: string[] = []
    const integrity = db.pragma(PRAGMA.integrityCheck, { simple: true })
    if (integrity !== 'ok') problems.push(`integrity_check: ${String(integrity)}`)
    const st = prepareStatements(db)
    const last = new Map<bigint, Row>()
    for (const b of db.prepare(DUMP.blocks).all() as Row[]) {
      const prev = last.get(b.chain)
      if (prev && (b.number !== prev.number + 1n || !b.parent_hash.equals(prev.hash)))
        problems.push(`chain ${b.chain}: block ${b.number} does not link to ${prev.number}`)
      last.set(b.chain, b)
    }
    for (const q of [DUMP.orphanLogs, DUMP.orphanExecMsgs]) {
      const n = (db.prepare(q).get() as { n: bigint }).n
      if (n !== 0n) problems.push(`${n} rows without their block: ${q}`)
    }
    for (const { id } of st.allChains.all() as { id: bigint }[]) {
      const heads = new Map((st.headsOfChain.all(id) as (Row & { level: string })[]).map((h) => [h.level, h]))
      const tip = last.get(id)
      const unsafe = heads.get('unsafe')
      if (!tip !== !unsafe || (tip && unsafe && (tip.number !== unsafe.number || !tip.hash.equals(unsafe.hash))))
        problems.push(`chain ${id}: unsafe head ${unsafe?.number} is not the last stored block ${tip?.number}`)
      for (const [level, h] of heads)
        if (unsafe && h.number > unsafe.number)
          problems.push(`chain ${id}: ${level} head ${h.number} above unsafe ${unsafe.number}`)
    }
    return problems
  } finally {
    db.close()
  }
}
