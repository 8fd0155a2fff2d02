/** A JSON-RPC answer as a test inspects it. */
export type JsonRpcAnswer = { result?: unknown; error?: { code: number; message: string; data?: unknown } }

let nextId = 1

/** One JSON-RPC call over HTTP (fetch); returns the response object, error or result, without throwing on it. */
export async function jsonRpc(
  url: string,
  method: string,
  params: readonly unknown[] = [],
  headers: Record<string, string> = {},
): Promise<JsonRpcAnswer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }),
    signal: AbortSignal.timeout(15_000),
  })
  return (await res.json()) as JsonRpcAnswer
}

/** The error code of an answer, 0 for a result. */
export function answerCode(a: JsonRpcAnswer): number {
  return a.error?.code ?? 0
}
