import { readFileSync } from 'node:fs'
import { test } from 'uvu'
import * as assert from 'uvu/assert'

// The library entry points the README promises, as a user imports them (`superguard/<domain>`,
// resolved through package.json "exports" by self-reference), each with the names a caller needs first.
const ENTRY_POINTS: Record<string, readonly string[]> = {
  supervisor: ['startSupervisor', 'supervisorConfig'],
  ingress: ['startIngress', 'AcceptedSet'],
  sweep: ['startSweep', 'sweepOptions'],
  sequencer: ['startSequencer', 'sequencerConfig'],
  builder: ['startBuilder', 'builderOptions'],
  enginesim: ['startEngineSim'],
  loadtest: ['runLoadtest', 'loadtestSpec', 'compareResults', 'runScenario'],
  logindex: ['startIndexer', 'openLogReader'],
  check: ['checkAccesses', 'createIndexBackend', 'createRpcBackend'],
  interop: ['parseAccessList', 'checksum', 'decodeExecutingMessage'],
  engine: ['computeBlockHash', 'decodeTx', 'decodeTransaction'],
  pbs: ['REJECTION_REASONS'],
  rpc: ['createRpcServer', 'RpcClient'],
  config: ['loadConfig'],
  errors: ['RpcCode', 'ServiceError'],
}

test('package.json exports exactly the documented entry points', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    exports: Record<string, unknown>
  }
  assert.equal(
    Object.keys(pkg.exports).sort(),
    [...Object.keys(ENTRY_POINTS).map((n) => `./${n}`), './package.json'].sort(),
  )
})

for (const [name, names] of Object.entries(ENTRY_POINTS)) {
  test(`superguard/${name} loads and exports ${names.join(', ')}`, async () => {
    const mod = (await import(`superguard/${name}`)) as Record<string, unknown>
    for (const n of names) assert.ok(mod[n] !== undefined, `superguard/${name} lacks ${n}`)
  })
}

test.run()
