import { ResponseBodyTooLargeError } from 'viem'

/**
 * fetch for viem's http transport (used with `maxResponseBodySize: false`), with two bounds:
 *
 * - Size, checked on Content-Length before the body is read, so viem reads a body whole
 *   (response.text(): one buffer, one decode) instead of through its size-counting stream reader,
 *   which decodes chunk by chunk: eth_getLogs 3.1 → 2.1 µs/log of CPU. A body with a
 *   Content-Length under the limit goes to viem as it came: copying it first (chunks, concat, a new
 *   Response) cost the backfill ~0.8 µs of CPU a log (9.1–9.8 → 8.0–8.9, bench:backfill). Only a
 *   body without Content-Length (chunked) is read here, counted against the limit. Errors are
 *   viem's own (ResponseBodyTooLargeError), as with maxResponseBodySize.
 * - Time: the whole request, body included, within `timeoutMs`. viem's own timeout ends when the
 *   headers arrive; a body handed on unread and then stalled by the node (headers sent, the rest
 *   never) held the caller (a chain's ingester, a check's limiter slot) until undici's 300 s body
 *   timeout.
 *
 * `stop` aborts every request in flight (shutdown).
 */
export function boundedFetch(maxSize: number, timeoutMs: number, stop?: AbortSignal): typeof fetch {
  // One signal per request, aborted by `stop` (one listener for all requests), by viem's timeout
  // (headers) or by the whole-request timer (body), and forgotten once the body is read: handing
  // the indexer's long-lived signal to every fetch left undici's listeners on it until GC
  // (MaxListenersExceededWarning after ~1,500 requests).
  const inFlight = new Set<AbortController>()
  stop?.addEventListener(
    'abort',
    () => {
      for (const ac of inFlight) ac.abort(stop.reason)
    },
    { once: true },
  )
  return async (input, init) => {
    const ac = new AbortController()
    if (stop?.aborted) ac.abort(stop.reason)
    inFlight.add(ac)
    const timeout = init?.signal ?? undefined
    const onTimeout = () => ac.abort(timeout!.reason)
    if (timeout?.aborted) onTimeout()
    else timeout?.addEventListener('abort', onTimeout, { once: true })
    const done = () => {
      clearTimeout(whole)
      inFlight.delete(ac)
      timeout?.removeEventListener('abort', onTimeout)
    }
    // Also forgets the request: a body handed on that is never read (no text() call) is not kept.
    // 0 = no bound, as viem's own timeout.
    const whole =
      timeoutMs > 0
        ? setTimeout(() => {
            ac.abort(new Error(`no complete response within ${timeoutMs} ms (the body stalled)`))
            done()
          }, timeoutMs)
        : undefined
    let handedOn = false
    try {
      const res = await fetch(input, { ...init, signal: ac.signal })
      const length = res.headers.get('content-length')
      if (length !== null && Number(length) > maxSize) {
        await res.body?.cancel()
        throw new ResponseBodyTooLargeError({ maxSize, size: Number(length) })
      }
      if (length !== null || !res.body) {
        // The request stays abortable (shutdown) until viem has read the body with text().
        const text = res.text.bind(res)
        Object.defineProperty(res, 'text', { value: () => text().finally(done) })
        handedOn = true
        return res
      }
      const chunks: Uint8Array[] = []
      let size = 0
      for await (const chunk of res.body) {
        size += chunk.byteLength
        if (size > maxSize) {
          await res.body.cancel().catch(() => {})
          throw new ResponseBodyTooLargeError({ maxSize, size })
        }
        chunks.push(chunk)
      }
      return new Response(Buffer.concat(chunks), {
        status: res.status,
        statusText: res.statusText,
        headers: res.headers,
      })
    } finally {
      if (!handedOn) done()
    }
  }
}
