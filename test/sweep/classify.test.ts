import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { RpcCode } from '../../src/errors/index.js'
import { actionFor, classifyTx, codeName, SweepCode } from '../../src/sweep/classify.js'

test('the classification table', () => {
  const table: [number, string][] = [
    [0, 'valid'],
    [RpcCode.ConflictingData, 'evict'],
    [RpcCode.IneffectiveData, 'evict'],
    [RpcCode.DataCorruption, 'evict'],
    [SweepCode.Parse, 'evict'],
    [SweepCode.Expired, 'evict'],
    [RpcCode.FutureData, 'keep'],
    [RpcCode.UninitializedChainDatabase, 'keep'],
    [RpcCode.OutOfScope, 'keep'],
    [SweepCode.Timeout, 'keep'],
    [SweepCode.Transport, 'keep'],
    [SweepCode.Worker, 'keep'],
    [RpcCode.FailsafeEnabled, 'keep'],
    [RpcCode.UnknownChain, 'keep'],
    [RpcCode.InvalidParams, 'keep'],
    [RpcCode.InternalError, 'keep'],
    [-1234567, 'keep'],
  ]
  for (const [code, action] of table) assert.is(actionFor(code), action, `${codeName(code)} (${code})`)
})

test('a transaction: any evicting access evicts, else any failure keeps, else valid', () => {
  const codes = [0, RpcCode.FutureData, RpcCode.ConflictingData, 0, SweepCode.Timeout]
  assert.equal(classifyTx([0, 3], codes), { action: 'valid', at: -1 })
  assert.equal(classifyTx([0, 1, 4], codes), { action: 'keep', at: 1 })
  assert.equal(classifyTx([1, 2, 4], codes), { action: 'evict', at: 2 })
  assert.equal(classifyTx([], codes), { action: 'valid', at: -1 })
})

test('code names', () => {
  assert.is(codeName(RpcCode.ConflictingData), 'ConflictingData')
  assert.is(codeName(SweepCode.Timeout), 'Timeout')
  assert.is(codeName(42), 'Code42')
})

test.run()
