/**
 * Node flags for every Piscina worker: the process's own, plus `--no-experimental-require-module`.
 * Piscina loads a task file with `require()` first and falls back to `import()`; on Node 20.19+
 * `require()` of our ES module task files succeeds through require(esm), and two first loads of one
 * file racing in a worker (a pool's default handler and a task naming another export or file) ended
 * the whole process with a V8 fatal error (`v8::Module::IsGraphAsync must be used on an instantiated
 * module`, seen once in the full suite). With require(esm) off in the workers, Piscina takes the
 * `import()` path, which Node's module loader serialises.
 */
export function workerExecArgv(): string[] {
  return [...process.execArgv, '--no-experimental-require-module']
}
