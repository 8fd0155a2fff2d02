/** One error for every problem found in a role's configuration, so an operator fixes them all at once. */
export class ConfigError extends Error {
  override name = 'ConfigError'
  readonly problems: readonly string[]
  constructor(role: string, problems: readonly string[]) {
    super(`invalid ${role} configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.problems = problems
  }
}
