import { report, runLoad } from '../_harness.js'
import { startEchoServer } from './echoServer.js'

// Sanity bench of the harness itself: bare fastify echo, single requests.
const { app, url } = await startEchoServer()
const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'echo', params: ['0x01'] })
const r = await runLoad({ url, bodies: [body], durationS: 3 })
await app.close()
report('echo', { ...r })
