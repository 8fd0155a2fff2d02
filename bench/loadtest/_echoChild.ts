import { startEchoServer } from '../_baselines/echoServer.js'

// The bare fastify echo in a process of its own: the load generator's main thread (judging answers)
// and its autocannon thread must not share a core with the server they measure.
const { url } = await startEchoServer()
process.stdout.write(`${url}\n`)
process.on('SIGTERM', () => process.exit(0))
