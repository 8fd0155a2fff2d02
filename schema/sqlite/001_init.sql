-- Log index, version 1. Append-only: later changes go in 002_*.sql, never edit this file.
-- Chain ids can exceed 2^63, so they are stored as decimal text once and referenced by a small key.
CREATE TABLE chains (
  id             INTEGER PRIMARY KEY,
  chain_id       TEXT    NOT NULL UNIQUE,
  -- 1 once the backfill of the expiry window has completed
  ready          INTEGER NOT NULL DEFAULT 0,
  -- first block the backfill chose (timestamp >= start of the window); fixed so a restart resumes the same plan
  backfill_start INTEGER
);

CREATE TABLE blocks (
  chain       INTEGER NOT NULL,
  number      INTEGER NOT NULL,
  hash        BLOB    NOT NULL,
  parent_hash BLOB    NOT NULL,
  timestamp   INTEGER NOT NULL,
  PRIMARY KEY (chain, number)
) WITHOUT ROWID;

-- One row per log. checksum is the type-3 access-list entry for this log, computed at ingest with the
-- chain's full id, and timestamp is the block's: a check is one primary-key look-up and a compare.
CREATE TABLE logs (
  chain        INTEGER NOT NULL,
  block_number INTEGER NOT NULL,
  log_index    INTEGER NOT NULL,
  checksum     BLOB    NOT NULL,
  log_hash     BLOB    NOT NULL,
  timestamp    INTEGER NOT NULL,
  PRIMARY KEY (chain, block_number, log_index)
) WITHOUT ROWID;

-- ExecutingMessage events of CrossL2Inbox in indexed blocks, for the cross-unsafe head.
-- source_* come from the event (identifier); checksum is what the initiating log's must equal.
CREATE TABLE exec_msgs (
  chain            INTEGER NOT NULL,
  block_number     INTEGER NOT NULL,
  log_index        INTEGER NOT NULL,
  source_chain     TEXT    NOT NULL,
  source_block     INTEGER NOT NULL,
  source_log_index INTEGER NOT NULL,
  source_timestamp INTEGER NOT NULL,
  checksum         BLOB    NOT NULL,
  PRIMARY KEY (chain, block_number, log_index)
) WITHOUT ROWID;

-- A rewind of a source chain finds the dependent blocks of other chains through this index.
CREATE INDEX exec_msgs_source ON exec_msgs (source_chain, source_block);

-- Heads per chain and level ('unsafe', 'cross-unsafe', 'safe', 'finalized'), stored whole so that a
-- head stays readable after its block is pruned.
CREATE TABLE heads (
  chain       INTEGER NOT NULL,
  level       TEXT    NOT NULL,
  number      INTEGER NOT NULL,
  hash        BLOB    NOT NULL,
  parent_hash BLOB    NOT NULL,
  timestamp   INTEGER NOT NULL,
  PRIMARY KEY (chain, level)
) WITHOUT ROWID;
