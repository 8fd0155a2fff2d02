import { closeSync, fstatSync, openSync, writeSync } from 'node:fs'

export type CorruptOptions = {
  /** Where the garbage starts: a byte offset, or 'middle' (the middle of the file, page-aligned to 4 KiB). */
  at: number | 'middle'
  /** KiB of garbage written (default 64). */
  kib?: number
  /** Seed of the garbage bytes, so a failing run can be replayed (default 1). */
  seed?: number
}

/**
 * Overwrites `kib` KiB of `path` at `at` with deterministic garbage (not zeros: a zeroed page can
 * read as an empty one), in place, as a failing disk or a stray writer would. The file keeps its
 * size unless the garbage runs past its end. Returns the offset and length written.
 */
export function corruptFile(path: string, opts: CorruptOptions): { offset: number; length: number } {
  const length = (opts.kib ?? 64) * 1024
  const fd = openSync(path, 'r+')
  try {
    const size = fstatSync(fd).size
    const offset = opts.at === 'middle' ? Math.floor(size / 2 / 4096) * 4096 : opts.at
    const buf = Buffer.alloc(length)
    // xorshift32: cheap, deterministic, never all-zero
    let x = (opts.seed ?? 1) >>> 0 || 1
    for (let i = 0; i < length; i += 4) {
      x ^= x << 13
      x ^= x >>> 17
      x ^= x << 5
      buf.writeUInt32LE(x >>> 0, i)
    }
    writeSync(fd, buf, 0, length, offset)
    return { offset, length }
  } finally {
    closeSync(fd)
  }
}
