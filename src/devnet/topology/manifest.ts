import { renameSync, writeFileSync } from 'node:fs'
import type { ManagedProcess, ProcessState } from './managedProcess.js'
import type { Role } from './plan.js'

/** One line of the manifest: what an outside script needs to kill -9 or SIGSTOP a process and to find it again. */
export type ManifestProcess = {
  name: string
  role: Role
  chain?: number
  index?: number
  pid: number | null
  state: ProcessState
  restarts: number
  rpc?: string
  engine?: string
  healthz?: string
  metrics?: string
  /** Sequencers: the builder API (`pbs_*`, JWT `builderJwt`). */
  builderApi?: string
  log: string
}

export type Manifest = {
  topology: '3x3'
  /** The devnet process itself: SIGTERM it to stop everything. */
  devnet: { pid: number; metrics: string; healthz: string }
  chains: { name: string; chainId: number; conductor: string }[]
  slotMs: number
  /** The engines' JWT secret file (hex): an outside script's authenticated engine-sim calls (sim_setFaults). */
  engineJwt: string
  /** The builders' JWT secret file (hex), which the sequencers' builder APIs verify. */
  builderJwt?: string
  /** Test doubles in the cluster: the lying supervisor in front of supervisor `index` (README "Lying supervisor"). */
  doubles?: { lyingSupervisor?: { index: number; rpc: string } }
  updatedAt: string
  processes: ManifestProcess[]
}

export function manifestProcess(p: ManagedProcess): ManifestProcess {
  const s = p.spec
  return {
    name: s.name,
    role: s.role,
    ...(s.chain !== undefined ? { chain: s.chain } : {}),
    ...(s.index !== undefined ? { index: s.index } : {}),
    pid: p.alive ? (p.pid ?? null) : null,
    state: p.state,
    restarts: p.restarts,
    ...(s.rpc ? { rpc: s.rpc } : {}),
    ...(s.engine ? { engine: s.engine } : {}),
    ...(s.healthz ? { healthz: s.healthz } : {}),
    ...(s.metrics ? { metrics: s.metrics } : {}),
    ...(s.builderApi ? { builderApi: s.builderApi } : {}),
    log: p.logFile,
  }
}

/** Written whole to a temporary file and renamed, so a reader never sees half a manifest. */
export function writeManifest(path: string, m: Manifest): void {
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, `${JSON.stringify(m, null, 2)}\n`)
  renameSync(tmp, path)
}
