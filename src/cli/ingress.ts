import { ingressSpec } from '../ingress/options.js'
import { serviceCommand } from './serve.js'

export const command = serviceCommand({
  summary: "validating transaction ingress (proxyd's interop role, plus the builder fan-out)",
  usage: 'superguard ingress --upstream URL --supervisor URL [--supervisor URL ...] [options]',
  description: [
    "Validating transaction ingress (proxyd's interop role, plus the PBS fan-out). Interop transactions",
    '(CrossL2Inbox access-list entries) are checked against the supervisors before they are sent to the',
    'upstream execution engine (whose answer is returned) and to every builder.',
  ].join('\n'),
  spec: ingressSpec,
  // Loaded after the options are valid, so --help and usage errors skip viem.
  start: async (config, logger) => (await import('../ingress/index.js')).startIngress(config, { logger }),
})
