import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createPublicClient, http } from 'viem'
import { errorFields, shortErrorText } from '../../src/util/errorText.js'
import { freePort } from '../../src/util/freePort.js'

test("a viem transport failure: one line with the socket's cause, the URL and method, no request body", async () => {
  const url = `http://127.0.0.1:${await freePort()}`
  const client = createPublicClient({ transport: http(url, { retryCount: 0 }) })
  const err = await client.getBlockNumber().then(
    () => undefined,
    (e: unknown) => e,
  )
  assert.match((err as Error).message, /Request body/, "viem's own message carries the body")
  const f = errorFields(err)
  assert.is(f.errClass, 'HttpRequestError')
  assert.match(f.err, /^HTTP request failed: connect ECONNREFUSED 127\.0\.0\.1:\d+$/)
  assert.is(f.url, `${url}/`) // as viem normalised it
  assert.is(f.method, 'eth_blockNumber')
  assert.is(f.stack, undefined)
  assert.type(errorFields(err, true).stack, 'string')
})

test('strings stay whole on one line, bounded; a plain error is its first line', () => {
  assert.is(shortErrorText('a\nb'), 'a; b')
  assert.is(shortErrorText('x'.repeat(600)).length, 500)
  assert.is(shortErrorText(new Error('first\nsecond')), 'first')
})

test.run()
