import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { IndexDbError } from '../../src/logindex/errors.js'
import { openIndex } from '../../src/logindex/openIndex.js'
import { captureLog } from '../_helpers/captureLog.js'
import { writeIndexFixture } from '../_helpers/writeIndexFixture.js'
import { corruptFile } from '../faults/corruptFile.js'

// Damage in page 1 is found while opening the file (openDb's WAL pragma reads page 1), not by
// quick_check: the rebuild must apply there too, and the handle opened for it must not leak.

const dir = mkdtempSync(join(tmpdir(), 'sg-open-index-'))

test.after(() => {
  rmSync(dir, { recursive: true, force: true })
})

/** A 2,000-log index whose page 1 is garbage after the 16-byte "SQLite format 3" magic. */
async function page1Garbled(name: string): Promise<string> {
  const path = join(dir, name)
  await writeIndexFixture(path, { logs: 2_000 })
  corruptFile(path, { at: 16, kib: 4 })
  return path
}

/** This process's open descriptors on `path` (Linux: /proc/self/fd). */
function fdsOn(path: string): number {
  let n = 0
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === path) n++
    } catch {
      // the descriptor readdir itself used, closed since
    }
  }
  return n
}

test('page 1 garbled, no rebuild: a corrupt IndexDbError, and no descriptor left open on the file', async () => {
  const path = await page1Garbled('refused.db')
  for (let i = 0; i < 3; i++) {
    const err = (() => {
      try {
        openIndex(path, { logger: captureLog().logger })
      } catch (e) {
        return e
      }
    })()
    assert.instance(err, IndexDbError)
    assert.is((err as IndexDbError).kind, 'corrupt')
  }
  assert.is(fdsOn(path), 0)
})

test('page 1 garbled, rebuildCorrupt: moved aside as <db>.corrupt-<time>, a fresh index opened, one warning', async () => {
  const path = await page1Garbled('rebuild.db')
  const { logger, lines } = captureLog()
  const at = new Date('2024-01-02T03:04:05.678Z')
  const db = openIndex(path, { logger, rebuildCorrupt: true, now: () => at })
  try {
    assert.equal(db.pragma('quick_check(1)'), [{ quick_check: 'ok' }])
  } finally {
    db.close()
  }
  assert.ok(readdirSync(dir).includes('rebuild.db.corrupt-2024-01-02T03-04-05-678Z'), readdirSync(dir).join(' '))
  const warns = lines.filter((l) => l.level === 40)
  assert.is(warns.length, 1)
  assert.match(String(warns[0]!.msg), /corrupt log index moved aside/)
})

test.run()
