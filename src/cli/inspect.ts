import type { Command } from './command.js'

// Placeholder until the inspect role lands (replaced in this session).
export const command: Command = {
  summary: 'inspect',
  async run() {
    throw new Error('superguard inspect is not available in this build')
  },
}
