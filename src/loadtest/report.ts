import type { LoadtestResult } from './result.js'

export function renderReport(r: LoadtestResult): string {
  return `<!doctype html><title>loadtest</title><pre>${JSON.stringify(r)}</pre>`
}
