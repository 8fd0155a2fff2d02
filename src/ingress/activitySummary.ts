/** Counts since the last summary line (one info line a minute instead of one per transaction). */
export class ActivitySummary {
  #plain = 0
  #accepted = 0
  #rejected = new Map<number, number>()

  plain(): void {
    this.#plain++
  }
  accepted(): void {
    this.#accepted++
  }
  rejected(code: number): void {
    this.#rejected.set(code, (this.#rejected.get(code) ?? 0) + 1)
  }

  /** The counts, reset; undefined when nothing happened. */
  take(): { plain: number; interopAccepted: number; interopRejected: Record<string, number> } | undefined {
    if (this.#plain === 0 && this.#accepted === 0 && this.#rejected.size === 0) return undefined
    const out = {
      plain: this.#plain,
      interopAccepted: this.#accepted,
      interopRejected: Object.fromEntries([...this.#rejected].map(([c, n]) => [String(c), n])),
    }
    this.#plain = 0
    this.#accepted = 0
    this.#rejected = new Map()
    return out
  }
}
