import type { ChildProcess } from 'node:child_process'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { startEngineSim } from '../../src/enginesim/start.js'
import { freePort } from '../../src/util/freePort.js'
import { runCli, spawnCli } from '../_helpers/cli.js'
import { jsonRpc } from '../_helpers/jsonRpc.js'
import { OpNode } from '../_helpers/opNode.js'
import { CHAIN_ID, jwtFile, signedTx } from './_env.js'

/** Resolves with the first JSON log line whose msg is `msg`. */
function logLine(child: ChildProcess, msg: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let buf = ''
    const timer = setTimeout(() => reject(new Error(`no "${msg}" log line`)), 15_000)
    child.stdout!.on('data', (c: Buffer) => {
      buf += c.toString()
      for (let i = buf.indexOf('\n'); i !== -1; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i)
        buf = buf.slice(i + 1)
        try {
          const j = JSON.parse(line) as Record<string, unknown>
          if (j.msg === msg) {
            clearTimeout(timer)
            resolve(j)
          }
        } catch {
          /* not JSON */
        }
      }
    })
    child.once('exit', (code) => reject(new Error(`exited with ${code} before "${msg}"`)))
  })
}

const exited = (c: ChildProcess) =>
  new Promise<number | null | string>((r) => c.once('exit', (code, sig) => r(code ?? `signal ${sig}`)))

test('superguard sequencer / builder: --help, and bad configuration exits 2', async () => {
  const [help, bhelp, bad, badBuilder] = await Promise.all([
    runCli(['sequencer', '--help']),
    runCli(['builder', '--help']),
    runCli(['sequencer', '--engine', 'http://127.0.0.1:1']),
    runCli(['sequencer', '--engine', 'http://127.0.0.1:1', '--block-time', '1s', '--builder', 'http://127.0.0.1:2']),
  ])
  assert.is(help.code, 0)
  assert.match(help.stdout, /--builder URL,jwt=FILE/)
  assert.match(help.stdout, /--validation-budget-ms/)
  assert.is(bhelp.code, 0)
  assert.match(bhelp.stdout, /--check-interop URL/)
  assert.is(bad.code, 2)
  assert.match(bad.stderr, /--jwt-secret/)
  assert.is(badBuilder.code, 2)
  assert.match(badBuilder.stderr, /jwt=FILE is required/)
})

test('real processes: op-node stand-in → superguard sequencer → engine-sim, with superguard builder', async () => {
  const genesisTime = Math.floor(Date.now() / 1000) + 30
  const eJwt = jwtFile()
  const fJwt = jwtFile()
  const opJwt = jwtFile()
  const bJwt = jwtFile()
  const engine = await startEngineSim({ execution: 'sim', jwtSecret: eJwt.secret, chainId: CHAIN_ID, genesisTime })
  const follower = await startEngineSim({ execution: 'sim', jwtSecret: fJwt.secret, chainId: CHAIN_ID, genesisTime })
  const [pe, pb, pd, pr] = await Promise.all([freePort(), freePort(), freePort(), freePort()])
  const seq = spawnCli([
    'sequencer',
    '--engine',
    `${engine.url},jwt=${eJwt.path}`,
    '--jwt-secret',
    opJwt.path,
    '--listen-engine',
    `127.0.0.1:${pe}`,
    '--listen-builder',
    `127.0.0.1:${pb}`,
    '--listen-debug',
    `127.0.0.1:${pd}`,
    '--builder',
    `http://127.0.0.1:${pr},jwt=${bJwt.path},name=ref`,
    '--max-unsafe-age',
    '0',
    '--log-level',
    'debug',
  ])
  const builder = spawnCli([
    'builder',
    '--listen',
    `127.0.0.1:${pr}`,
    '--sequencer',
    `http://127.0.0.1:${pb}`,
    '--jwt-secret',
    bJwt.path,
    '--engine',
    `${follower.url},jwt=${fJwt.path}`,
    '--log-level',
    'debug',
  ])
  let seqErr = ''
  let seqOut = ''
  seq.stderr!.on('data', (c: Buffer) => {
    seqErr += c.toString()
  })
  seq.stdout!.on('data', (c: Buffer) => {
    seqOut += c.toString()
  })
  try {
    const [startLine] = await Promise.all([logLine(seq, 'sequencer started'), logLine(builder, 'builder listening')])
    // The start line names the engine it forwards to, besides its own listeners.
    assert.is(startLine.upstreamEngine, engine.url)
    assert.is(startLine.engine, `http://127.0.0.1:${pe}`)
    const raw = await signedTx(3, 0, 4)
    assert.ok((await jsonRpc(`http://127.0.0.1:${pr}`, 'eth_sendRawTransaction', [raw])).result)
    const op = await new OpNode({
      engineUrl: `http://127.0.0.1:${pe}`,
      jwtSecret: opJwt.secret,
      followers: [{ url: follower.url, jwtSecret: fJwt.secret }],
    }).init()
    const submittedP = logLine(builder, 'submitted block')
    const validatedP = logLine(seq, 'builder block validated')
    const started = await op.startBlock()
    // The builder logs each submission; the sequencer accepts it and validates it off the fast path.
    const submitted = await submittedP
    assert.equal(submitted.result, { status: 'accepted' })
    const validated = await validatedP
    assert.equal([validated.valid, validated.blockHash], [true, submitted.blockHash])
    const sealedP = logLine(seq, 'block sealed')
    const got = await op.seal(started)
    assert.equal((await sealedP).source, 'builder')
    assert.ok(got.executionPayload.transactions.includes(raw))
    await op.insert(got)
    assert.is((await fetch(`http://127.0.0.1:${pd}/healthz`)).status, 200)
    assert.match(
      await (await fetch(`http://127.0.0.1:${pd}/metrics`)).text(),
      /superguard_sequencer_blocks_total\{source="builder"/,
    )
    op.close()
  } finally {
    seq.kill('SIGTERM')
    builder.kill('SIGTERM')
    assert.equal(await Promise.all([exited(seq), exited(builder)]), [0, 0], `${seqErr}\n${seqOut.slice(-3000)}`)
    await engine.close()
    await follower.close()
  }
})

test.run()
