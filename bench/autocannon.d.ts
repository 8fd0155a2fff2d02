// The subset of autocannon's API the benchmarks use (the package ships no types).
declare module 'autocannon' {
  type Histogram = { average: number; mean: number; p50: number; p90: number; p99: number; max: number; total: number }
  export type Result = {
    requests: Histogram & { sent: number }
    latency: Histogram
    throughput: Histogram
    errors: number
    timeouts: number
    non2xx: number
    duration: number
    '2xx': number
  }
  export type Options = {
    url: string
    connections?: number
    pipelining?: number
    duration?: number
    amount?: number
    workers?: number
    method?: string
    headers?: Record<string, string>
    body?: string
    requests?: { method?: string; path?: string; headers?: Record<string, string>; body?: string }[]
  }
  export default function autocannon(opts: Options): Promise<Result>
}
