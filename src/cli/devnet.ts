import type { Command } from './command.js'

// Placeholder until the devnet role lands (replaced in this session).
export const command: Command = {
  summary: 'devnet',
  async run() {
    throw new Error('superguard devnet is not available in this build')
  },
}
