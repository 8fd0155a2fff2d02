/**
 * The operator's failsafe switch: while on, every check answers -320602 and callers (op-geth,
 * op-reth, proxyd) reject or evict interop transactions. In memory, as in op-interop-filter:
 * a restart starts from `--failsafe` (default off).
 */
export class Failsafe {
  #enabled: boolean
  readonly #onChange: ((enabled: boolean) => void) | undefined

  constructor(enabled = false, onChange?: (enabled: boolean) => void) {
    this.#enabled = enabled
    this.#onChange = onChange
    onChange?.(enabled)
  }

  get enabled(): boolean {
    return this.#enabled
  }

  set(enabled: boolean): void {
    this.#enabled = enabled
    this.#onChange?.(enabled)
  }
}
