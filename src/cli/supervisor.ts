import type { Command } from './command.js'

// Placeholder until the supervisor role lands (replaced in this session).
export const command: Command = {
  summary: 'supervisor',
  async run() {
    throw new Error('superguard supervisor is not available in this build')
  },
}
