import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { BackfillProgress, formatEta } from '../../src/logindex/backfillProgress.js'
import type { Logger } from '../../src/util/logger.js'

function fakeLogger(lines: { obj: Record<string, unknown>; msg: string }[]): Logger {
  return { info: (obj: Record<string, unknown>, msg: string) => lines.push({ obj, msg }) } as unknown as Logger
}

test('without a terminal: one log line per chain with percent, blocks/s and ETA', () => {
  const lines: { obj: Record<string, unknown>; msg: string }[] = []
  const p = new BackfillProgress({
    logger: fakeLogger(lines),
    stream: { isTTY: false, write: () => true } as unknown as NodeJS.WriteStream,
    intervalMs: 1e9,
  })
  p.update(10n, 0n, 99n, 999n)
  p.report()
  p.stop()
  assert.is(lines.length, 1)
  assert.is(lines[0]!.obj.chainId, '10')
  assert.is(lines[0]!.obj.percent, 10)
  assert.match(lines[0]!.msg, /^backfill 10\.0% \d+ blocks\/s ETA /)
})

test('on a terminal: a single redrawn line with a bar', () => {
  let out = ''
  const p = new BackfillProgress({
    logger: fakeLogger([]),
    stream: {
      isTTY: true,
      write: (s: string) => {
        out += s
        return true
      },
    } as unknown as NodeJS.WriteStream,
    intervalMs: 1e9,
  })
  p.update(10n, 0n, 499n, 999n)
  p.update(11n, 0n, 999n, 999n)
  p.report()
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the bar is drawn with terminal escapes
  assert.match(out, /^\r\x1b\[2Kchain 10 \[#{12}-{12}\] 50\.0% .* blk\/s ETA .* \| {2}chain 11 \[#{24}\] 100\.0%/)
  p.stop()
})

test('formats ETAs', () => {
  assert.is(formatEta(undefined), '?')
  assert.is(formatEta(42), '42s')
  assert.is(formatEta(65), '1m05s')
  assert.is(formatEta(3 * 3600 + 120), '3h02m')
})

test.run()
