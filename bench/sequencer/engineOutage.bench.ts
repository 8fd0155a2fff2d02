// The issue-7 scenario, measured: standalone sequencer, --block-time 1s, engine behind a TCP pipe
// that is killed for 5 s and restored. Reports the CPU the process spent during the outage
// (process.cpuUsage; the idle engine-sim shares the process), failed slot attempts, log bytes
// written, how far ahead of the wall clock any job's timestamp ran, and the time from the restore
// to the first sealed block. Run: node dist/bench/sequencer/engineOutage.bench.js [outage-ms]

import { randomBytes } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { startEngineSim } from '../../src/enginesim/start.js'
import { sequencerConfig, startSequencer } from '../../src/sequencer/start.js'
import { TcpPipe } from '../../test/faults/tcpPipe.js'
import { report } from '../_harness.js'

const OUTAGE_MS = Number(process.argv[2] ?? 5000)
const BLOCK_MS = 1000

const secret = randomBytes(32)
const jwtPath = join(mkdtempSync(join(tmpdir(), 'sg-outage-')), 'jwt.hex')
writeFileSync(jwtPath, secret.toString('hex'))
const engine = await startEngineSim({
  execution: 'sim',
  jwtSecret: secret,
  chainId: 901,
  genesisTime: Math.floor(Date.now() / 1000) - 5,
})
const pipe = await TcpPipe.start(engine.url)
let logBytes = 0
const logger = pino(
  { level: 'info' },
  {
    write: (s: string) => {
      logBytes += s.length
    },
  },
)
const seq = await startSequencer(
  sequencerConfig({
    engine: `${pipe.url},jwt=${jwtPath}`,
    blockTime: BLOCK_MS,
    listenBuilder: '127.0.0.1:0',
    listenDebug: '127.0.0.1:0',
    maxUnsafeAge: 0,
  }),
  { logger },
)
let failed = 0
let aheadMs = -Infinity
seq.events.on('error', (e) => {
  if (e.where === 'standalone_slot') failed++
})
seq.events.on('job', (j) => {
  aheadMs = Math.max(aheadMs, Number(BigInt(j.attributes.timestamp)) * 1000 - Date.now())
})
await seq.events.waitFor('sealed')

const bytes0 = logBytes
const cpu0 = process.cpuUsage()
const t0 = performance.now()
await pipe.kill('refuse')
await new Promise((r) => setTimeout(r, OUTAGE_MS))
const cpu = process.cpuUsage(cpu0)
const wallMs = performance.now() - t0
const sealed = seq.events.waitFor('sealed', () => true, 20_000)
await pipe.restore()
const t1 = performance.now()
const ok = await sealed.then(
  () => true,
  () => false,
)
const firstSealMs = performance.now() - t1

report('sequencer-engine-outage', {
  blockTimeMs: BLOCK_MS,
  outageMs: Math.round(wallMs),
  cpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 1000) / 10,
  failedSlots: failed,
  logBytesDuringOutage: logBytes - bytes0,
  maxJobAheadOfWallClockMs: Math.round(aheadMs),
  firstSealAfterRestoreMs: ok ? Math.round(firstSealMs) : `none within ${Math.round(firstSealMs)} ms`,
})
await seq.close()
await pipe.close()
await engine.close()
