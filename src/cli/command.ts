/** A CLI subcommand: `superguard <name> [options]`. `run` resolves when the command is done (servers: after shutdown). */
export type Command = {
  summary: string
  run(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<void>
}
