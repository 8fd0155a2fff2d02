// Small SVG charts for the HTML report, drawn here so the page needs no library and no network.
// Every chart is an <svg data-chart="name"> with a <title>, axes labelled in plain text.

export type Point = { x: number; y: number }

const W = 640
const H = 220
const PAD = { left: 56, right: 16, top: 28, bottom: 36 }

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
}

const fmt = (n: number) =>
  n >= 1e6
    ? `${(n / 1e6).toFixed(1)}M`
    : n >= 1e4
      ? `${(n / 1e3).toFixed(0)}k`
      : n >= 100
        ? n.toFixed(0)
        : n >= 1
          ? n.toFixed(1)
          : n.toFixed(2)

/** 0 and four round steps up to at least max. */
function ticks(max: number): number[] {
  if (max <= 0) return [0, 1]
  const raw = max / 4
  const mag = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw)!
  return Array.from({ length: Math.ceil(max / step) + 1 }, (_, i) => i * step)
}

function frame(name: string, title: string, body: string, yTicks: number[], yLabel: string, xLabels: string): string {
  const top = yTicks[yTicks.length - 1]!
  const y = (v: number) => PAD.top + (H - PAD.top - PAD.bottom) * (1 - v / top)
  const grid = yTicks
    .map(
      (t) =>
        `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(t)}" y2="${y(t)}" class="grid"/><text x="${PAD.left - 6}" y="${y(t) + 4}" class="tick" text-anchor="end">${fmt(t)}</text>`,
    )
    .join('')
  return `<svg data-chart="${name}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}"><title>${esc(title)}</title>${grid}${body}${xLabels}<text x="8" y="14" class="axis">${esc(yLabel)}</text></svg>`
}

/** A line over time (x in seconds). */
export function lineChart(name: string, title: string, points: Point[], yLabel: string, color: string): string {
  const maxX = Math.max(1, ...points.map((p) => p.x))
  const yTicks = ticks(Math.max(0, ...points.map((p) => p.y)))
  const top = yTicks[yTicks.length - 1]!
  const x = (v: number) => PAD.left + ((W - PAD.left - PAD.right) * v) / maxX
  const y = (v: number) => PAD.top + (H - PAD.top - PAD.bottom) * (1 - v / top)
  const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`).join('')
  const dots = points
    .map(
      (p) =>
        `<circle cx="${x(p.x).toFixed(1)}" cy="${y(p.y).toFixed(1)}" r="2.5" fill="${color}"><title>${p.x}s: ${fmt(p.y)}</title></circle>`,
    )
    .join('')
  const xTicks = ticks(maxX)
    .filter((t) => t <= maxX)
    .map((t) => `<text x="${x(t)}" y="${H - PAD.bottom + 16}" class="tick" text-anchor="middle">${fmt(t)}s</text>`)
    .join('')
  const body = points.length > 0 ? `<path d="${path}" fill="none" stroke="${color}" stroke-width="2"/>${dots}` : ''
  return frame(name, title, body, yTicks, yLabel, xTicks)
}

/** Vertical bars with a label under each (histogram). */
export function barChart(
  name: string,
  title: string,
  bars: { label: string; value: number }[],
  yLabel: string,
  color: string,
): string {
  const yTicks = ticks(Math.max(0, ...bars.map((b) => b.value)))
  const top = yTicks[yTicks.length - 1]!
  const slot = (W - PAD.left - PAD.right) / Math.max(1, bars.length)
  const y = (v: number) => PAD.top + (H - PAD.top - PAD.bottom) * (1 - v / top)
  const every = Math.max(1, Math.ceil(bars.length / 10))
  const body = bars
    .map((b, i) => {
      const x0 = PAD.left + i * slot
      const label =
        i % every === 0
          ? `<text x="${x0 + slot / 2}" y="${H - PAD.bottom + 16}" class="tick" text-anchor="middle">${esc(b.label)}</text>`
          : ''
      return `<rect x="${(x0 + 1).toFixed(1)}" y="${y(b.value).toFixed(1)}" width="${Math.max(1, slot - 2).toFixed(1)}" height="${(y(0) - y(b.value)).toFixed(1)}" fill="${color}"><title>${esc(b.label)}: ${b.value}</title></rect>${label}`
    })
    .join('')
  return frame(name, title, body, yTicks, yLabel, '')
}

/** Horizontal bars, one row per key (code mix, wrong verdicts by case). */
export function rowChart(name: string, title: string, rows: { label: string; value: number; color: string }[]): string {
  const rowH = 24
  const height = PAD.top + Math.max(1, rows.length) * rowH + 8
  const left = 150
  const max = Math.max(1, ...rows.map((r) => r.value))
  const body = rows
    .map((r, i) => {
      const y0 = PAD.top + i * rowH
      const w = ((W - left - 80) * r.value) / max
      return `<text x="${left - 8}" y="${y0 + 15}" class="tick" text-anchor="end">${esc(r.label)}</text><rect x="${left}" y="${y0 + 3}" width="${Math.max(r.value > 0 ? 2 : 0, w).toFixed(1)}" height="${rowH - 8}" fill="${r.color}"><title>${esc(r.label)}: ${r.value}</title></rect><text x="${left + w + 6}" y="${y0 + 15}" class="tick">${r.value.toLocaleString('en-US')}</text>`
    })
    .join('')
  const empty = rows.length === 0 ? `<text x="${left}" y="${PAD.top + 15}" class="tick">none</text>` : ''
  return `<svg data-chart="${name}" viewBox="0 0 ${W} ${height}" role="img" aria-label="${esc(title)}"><title>${esc(title)}</title>${body}${empty}</svg>`
}
