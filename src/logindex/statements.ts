import type Database from 'better-sqlite3'

/**
 * Every SQL string of the log index (the DDL lives in schema/sqlite/). Statements are prepared once
 * per connection; the database runs with safe integers, so every INTEGER comes back as a bigint.
 */
/** The memory map's size, and the largest file that is mapped at all (see PRAGMA.mmapSize). */
export const MMAP_BYTES = 268_435_456

export const PRAGMA = {
  wal: 'journal_mode = WAL',
  synchronousNormal: 'synchronous = NORMAL',
  foreignKeysOff: 'foreign_keys = OFF',
  // Look-ups are random over the whole window: a larger page cache and mmap'd reads (no read()
  // syscall per page) measured ~25% faster per findLog on a 2M-log index. mmap only while the whole
  // file fits in the map (openDb): bench:scale on a 620 MB (10M-log) file measured look-ups with
  // this 256 MB map at 0.72–0.78 of no map, and a map of the whole file at 0.33–0.49; on a 111 MB
  // (1M-log) file the map is 1.25–1.35× no map.
  cacheSize: 'cache_size = -32768',
  mmapSize: `mmap_size = ${MMAP_BYTES}`,
  mmapOff: 'mmap_size = 0',
  userVersion: 'user_version',
  setUserVersion: (v: number) => `user_version = ${Math.trunc(v)}`,
  integrityCheck: 'integrity_check',
} as const

/** Rows per multi-row log INSERT: one statement step for 32 rows measured 1.35 → 0.8 µs per row (16–64 alike). */
export const LOG_ROWS_PER_INSERT = 32

const SQL = {
  chainByChainId: 'SELECT id, ready, backfill_start FROM chains WHERE chain_id = ?',
  allChains: 'SELECT id, chain_id, ready, backfill_start FROM chains ORDER BY id',
  readyOfChain: 'SELECT ready FROM chains WHERE id = ?',
  insertChain: 'INSERT INTO chains (chain_id) VALUES (?)',
  setReady: 'UPDATE chains SET ready = ? WHERE id = ?',
  setBackfillStart: 'UPDATE chains SET backfill_start = ? WHERE id = ?',

  insertBlock: 'INSERT INTO blocks (chain, number, hash, parent_hash, timestamp) VALUES (?, ?, ?, ?, ?)',
  insertLog: 'INSERT INTO logs (chain, block_number, log_index, checksum, timestamp) VALUES (?, ?, ?, ?, ?)',
  insertLogs: `INSERT INTO logs (chain, block_number, log_index, checksum, timestamp) VALUES ${Array(LOG_ROWS_PER_INSERT).fill('(?, ?, ?, ?, ?)').join(', ')}`,
  insertExecMsg:
    'INSERT INTO exec_msgs (chain, block_number, log_index, source_chain, source_block, source_log_index, source_timestamp, checksum) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',

  block: 'SELECT number, hash, parent_hash, timestamp FROM blocks WHERE chain = ? AND number = ?',
  firstBlock: 'SELECT number, hash, parent_hash, timestamp FROM blocks WHERE chain = ? ORDER BY number LIMIT 1',
  lastBlock: 'SELECT number, hash, parent_hash, timestamp FROM blocks WHERE chain = ? ORDER BY number DESC LIMIT 1',
  blockHashesDesc: 'SELECT number, hash FROM blocks WHERE chain = ? AND number BETWEEN ? AND ? ORDER BY number DESC',

  // A read snapshot over many look-ups (LogReader.snapshot).
  begin: 'BEGIN',
  commit: 'COMMIT',

  // The hot path: one primary-key look-up.
  findLog: 'SELECT checksum, timestamp FROM logs WHERE chain = ? AND block_number = ? AND log_index = ?',

  head: 'SELECT number, hash, parent_hash, timestamp FROM heads WHERE chain = ? AND level = ?',
  headsOfChain: 'SELECT level, number, hash, parent_hash, timestamp FROM heads WHERE chain = ?',
  upsertHead:
    'INSERT INTO heads (chain, level, number, hash, parent_hash, timestamp) VALUES (?, ?, ?, ?, ?, ?) ' +
    'ON CONFLICT (chain, level) DO UPDATE SET number = excluded.number, hash = excluded.hash, parent_hash = excluded.parent_hash, timestamp = excluded.timestamp',
  deleteHead: 'DELETE FROM heads WHERE chain = ? AND level = ?',

  deleteBlocksAbove: 'DELETE FROM blocks WHERE chain = ? AND number > ?',
  deleteLogsAbove: 'DELETE FROM logs WHERE chain = ? AND block_number > ?',
  deleteExecMsgsAbove: 'DELETE FROM exec_msgs WHERE chain = ? AND block_number > ?',

  // Timestamps never decrease along a chain, so the first block at or after the cut-off bounds what to prune;
  // the scan walks the primary key from the oldest block and stops at the first recent one.
  firstBlockAtOrAfter: 'SELECT number FROM blocks WHERE chain = ? AND timestamp >= ? ORDER BY number LIMIT 1',
  // The block of the chain's (n+1)-th oldest log: walks the primary key (chain, block_number, log_index).
  logBlockAtOffset:
    'SELECT block_number AS number FROM logs WHERE chain = ? AND block_number >= ? ORDER BY block_number, log_index LIMIT 1 OFFSET ?',
  deleteBlocksBelow: 'DELETE FROM blocks WHERE chain = ? AND number < ?',
  deleteLogsBelow: 'DELETE FROM logs WHERE chain = ? AND block_number < ?',
  deleteExecMsgsBelow: 'DELETE FROM exec_msgs WHERE chain = ? AND block_number < ?',

  nextExecBlock:
    'SELECT min(block_number) AS number FROM exec_msgs WHERE chain = ? AND block_number > ? AND block_number <= ?',
  execMsgsOfBlock:
    'SELECT log_index, source_chain, source_block, source_log_index, source_timestamp, checksum FROM exec_msgs WHERE chain = ? AND block_number = ?',
  dependents:
    'SELECT chain, min(block_number) AS first FROM exec_msgs WHERE source_chain = ? AND source_block > ? GROUP BY chain',
} as const

export type Statements = { [K in keyof typeof SQL]: Database.Statement }

/** Prepares every statement on `db` (read-only connections can prepare the writes, they just never run them). */
export function prepareStatements(db: Database.Database): Statements {
  const out = {} as Record<string, Database.Statement>
  for (const [name, sql] of Object.entries(SQL)) out[name] = db.prepare(sql)
  return out as Statements
}

/** Dumps used by tests and the `inspect` tooling to compare two indexes row for row. */
export const DUMP = {
  blocks: 'SELECT chain, number, hash, parent_hash, timestamp FROM blocks ORDER BY chain, number',
  logs: 'SELECT chain, block_number, log_index, checksum, timestamp FROM logs ORDER BY chain, block_number, log_index',
  execMsgs: 'SELECT * FROM exec_msgs ORDER BY chain, block_number, log_index',
  chains: 'SELECT id, chain_id FROM chains ORDER BY id',
  orphanLogs:
    'SELECT count(*) AS n FROM logs l WHERE NOT EXISTS (SELECT 1 FROM blocks b WHERE b.chain = l.chain AND b.number = l.block_number)',
  orphanExecMsgs:
    'SELECT count(*) AS n FROM exec_msgs e WHERE NOT EXISTS (SELECT 1 FROM blocks b WHERE b.chain = e.chain AND b.number = e.block_number)',
} as const
