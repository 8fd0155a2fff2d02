import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { parseRoute, parseRoutes, RouteTable } from '../../src/check/index.js'
import { ConflictError, FailsafeEnabledError } from '../../src/errors/index.js'
import { NoVerdictError } from '../../src/ingress/errors.js'
import type { Verdict } from '../../src/ingress/strategies/index.js'
import { mergeVerdicts } from '../../src/ingress/strategies/routed.js'

test('parseRoute: decimal or 0x chain id, an http(s) URL; one-line problems otherwise', () => {
  assert.equal(parseRoute('10=http://a:1'), { chainId: 10n, url: 'http://a:1' })
  assert.equal(parseRoute(' 0x2105 = https://b/rpc '), { chainId: 8453n, url: 'https://b/rpc' })
  assert.match(parseRoute('10') as string, /^--route "10": expected CHAINID=URL/)
  assert.match(parseRoute('x=http://a') as string, /expected CHAINID=URL/)
  assert.match(parseRoute('10=redis://a') as string, /expected an http\(s\) URL/)
  assert.match(parseRoute('0=http://a') as string, /chain id must be in 1\.\.2\^256-1/)
  const { routes, problems } = parseRoutes(['10=http://a', '10=http://b', '10=http://a', '5=http://c'])
  assert.equal(
    [...routes],
    [
      [10n, ['http://a', 'http://b']],
      [5n, ['http://c']],
    ],
  )
  assert.equal(problems, ['--route "10=http://a": given twice for chain 10'])
})

test('RouteTable: chains with the same supervisors share a route; the default takes the rest', () => {
  const t = RouteTable.parse(['10=http://a', '11=http://a', '12=http://b', '13=http://d'], ['http://d'])
  assert.equal(
    t.routes.map((r) => [r.label, r.urls]),
    [
      ['10,11', ['http://a']],
      ['12', ['http://b']],
      ['default', ['http://d']],
    ],
  )
  assert.is(t.routeOf(13n), t.fallback, 'same URLs as --supervisor: the default route itself')
  assert.is(t.routeOf(99n), t.fallback)
  assert.equal(t.urls, ['http://a', 'http://b', 'http://d'])
  assert.not.ok(t.trivial)
  const split = t.split([10n, 12n, 11n, 99n], (c) => c)
  assert.equal(
    split.parts.map((p) => [p.route.label, p.items]),
    [
      ['10,11', [10n, 11n]],
      ['12', [12n]],
      ['default', [99n]],
    ],
  )
  assert.equal(split.unrouted, [])
  const noDefault = RouteTable.parse(['10=http://a'], undefined)
  assert.equal(noDefault.split([10n, 7n], (c) => c).unrouted, [{ chainId: 7n, item: 7n }])
  assert.ok(RouteTable.parse([], ['http://d']).trivial, 'no --route: nothing to split')
  assert.throws(() => RouteTable.parse(['nope'], undefined), /expected CHAINID=URL/)
})

const ok: Verdict = { ok: true }
const invalid: Verdict = { ok: false, result: 'filtered', error: new ConflictError('forged') }
const failsafe: Verdict = { ok: false, result: 'failsafe', error: new FailsafeEnabledError() }
const none: Verdict = { ok: false, result: 'errored', error: new NoVerdictError('route down') }
const later = (v: Verdict) => new Promise<Verdict>((r) => setImmediate(() => r(v)))
const never = new Promise<Verdict>(() => {})

test('mergeVerdicts: valid only if every part is; a definitive rejection decides at once', async () => {
  assert.equal(await mergeVerdicts([later(ok), Promise.resolve(ok)]), ok)
  assert.is(await mergeVerdicts([never, later(invalid)]), invalid, 'without waiting for a slow part')
  assert.is(await mergeVerdicts([never, later(failsafe)]), failsafe)
  assert.is(await mergeVerdicts([Promise.resolve(none), later(invalid)]), invalid, 'a verdict beats no verdict')
  assert.is(await mergeVerdicts([Promise.resolve(none), later(ok)]), none, 'no verdict for a part fails closed')
  const thrown = await mergeVerdicts([Promise.reject(new Error('bug')), later(ok)])
  assert.ok(!thrown.ok && thrown.result === 'errored' && thrown.error instanceof NoVerdictError)
})

test.run()
