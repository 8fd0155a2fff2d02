import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { SampledLog } from '../../src/util/sampledLog.js'
import { captureLog } from '../_helpers/captureLog.js'

test('perInterval lines per interval; the next line carries how many were not written', () => {
  const { logger, lines } = captureLog()
  const s = new SampledLog(logger, 'refused', { intervalMs: 1000, perInterval: 3 })
  for (let i = 0; i < 10; i++) s.event({ i }, 100 + i)
  assert.equal(
    lines.map((l) => l.i),
    [0, 1, 2],
  )
  assert.not.ok(s.wouldWrite(500))
  assert.ok(s.wouldWrite(1100))
  s.event({ i: 10 }, 1100)
  assert.is(lines.length, 4)
  assert.is(lines[3]!.suppressed, 7)
  s.event({ i: 11 }, 1101)
  assert.is(lines[4]!.suppressed, undefined)
})

test.run()
