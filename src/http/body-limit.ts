import { limitError } from "../pipeline/limits.js";
import type { ErrorCode } from "../platform/errors.js";

function tooLarge(exposeLimits: boolean, maxBytes: number, headers: HeadersInit = {}): Response {
  const error = limitError("requestSize", exposeLimits, { max: maxBytes });
  return Response.json(
    {
      errors: [
        { message: error.message, extensions: { code: "LIMIT_EXCEEDED" satisfies ErrorCode, limit: "requestSize" } },
      ],
    },
    { status: 413, headers },
  );
}

/**
 * Reads the body of a request up to `maxBytes`: a 413 response when it is larger (by Content-Length, or
 * by counting a chunked body as it streams in, without buffering past the limit), else the request: as it
 * came when its Content-Length was within the limit, with its body buffered when it was chunked.
 */
export async function limitRequestBody(
  request: Request,
  maxBytes: number,
  exposeLimits: boolean,
): Promise<Request | Response> {
  if (!request.body) return request;
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    // The body is left alone, not cancelled (that destroyed the socket before the 413 was written), and the
    // connection is kept: closing it while the client still writes resets it, and a client such as fetch
    // then reports the failed write instead of the 413. The HTTP server drains the unread body (http.ts).
    return tooLarge(exposeLimits, maxBytes);
  }
  // A declared length within the limit bounds the body already: the HTTP parser reads exactly that many
  // bytes. Nothing to count, and no second Request to build.
  if (Number.isFinite(declared)) return request;
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      return tooLarge(exposeLimits, maxBytes, { connection: "close" });
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new Request(request.url, {
    method: request.method,
    headers: request.headers,
    body,
    signal: request.signal,
  });
}
