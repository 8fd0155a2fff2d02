import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** The README of the package this compiled test belongs to. */
export const README_PATH = fileURLToPath(new URL('../../../README.md', import.meta.url))

export function readme(): string {
  return readFileSync(README_PATH, 'utf8')
}

/** A `superguard …` command of a fenced block, continuation lines joined, comment dropped. */
export type ReadmeCommand = { line: number; text: string; argv: string[] }

/** Every `superguard …` (and `npx superguard …`) command in the README's fenced code blocks. */
export function fencedCommands(md: string): ReadmeCommand[] {
  const out: ReadmeCommand[] = []
  const lines = md.split('\n')
  let inFence = false
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!
    if (/^```/.test(l)) {
      inFence = !inFence
      continue
    }
    if (!inFence) continue
    const m = /^(?:\$ )?(?:npx )?(superguard \S.*)$/.exec(l)
    if (!m) continue
    let text = m[1]!
    const start = i + 1
    while (text.endsWith('\\') && i + 1 < lines.length) text = `${text.slice(0, -1)} ${lines[++i]!.trim()}`
    text = text.replace(/\s+#.*$/, '').trim()
    out.push({ line: start, text, argv: words(text).slice(1) })
  }
  return out
}

/** Shell words (no quoting in our examples beyond plain tokens; `[…]` optional groups are kept as tokens). */
function words(text: string): string[] {
  return text.split(/\s+/).filter(Boolean)
}

/** The README section of a command: from its `## \`superguard <name>\`` heading to the next `## `. */
export function section(md: string, name: string): string {
  const start = md.search(new RegExp(`^## \`superguard ${name}\``, 'm'))
  if (start === -1) throw new Error(`no README section for superguard ${name}`)
  const rest = md.slice(start + 3)
  const end = rest.search(/^## /m)
  return md.slice(start, end === -1 ? undefined : start + 3 + end)
}

/** Rows of the markdown tables in `text` whose first cell names options: [flags of the first cell, cells]. */
export function optionRows(text: string): { flags: string[]; cells: string[] }[] {
  const rows: { flags: string[]; cells: string[] }[] = []
  for (const l of text.split('\n')) {
    if (!l.startsWith('| `--')) continue
    const cells = l
      .split(/(?<!\\)\|/)
      .slice(1, -1)
      .map((c) => c.trim())
    rows.push({ flags: flagsIn(cells[0]!), cells })
  }
  return rows
}

/** `--flag` names in a piece of markdown (`--a` / `--b`, `--x N`, `_PORT` shorthand ignored). */
export function flagsIn(text: string): string[] {
  return [...text.matchAll(/--([a-z][a-z0-9-]*)/g)].map((m) => m[1]!)
}
