// One HTTP request and its whole response as text, through undici's low-level dispatch()
// with a handler that only collects bytes. It skips the body stream that `request()` builds
// for every response, which on a sub-millisecond check is part of what the harness measures
// and an independent tool (wrk) does not (docs/benchmarking.md, "Cross-check").

import type { Dispatcher } from 'undici';

export interface HttpExchange {
  status: number;
  text: string;
  /** Response headers, names in lower case (e.g. `x-request-id`). */
  headers: Record<string, string | string[] | undefined>;
}

export function exchange(dispatcher: Dispatcher, options: Dispatcher.DispatchOptions): Promise<HttpExchange> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let status = 0;
    let headers: HttpExchange['headers'] = {};
    dispatcher.dispatch(options, {
      // Its presence selects undici's current handler interface (without it, the legacy one).
      onRequestStart() {},
      onResponseStart(_controller, statusCode, responseHeaders) {
        status = statusCode;
        headers = responseHeaders;
      },
      onResponseData(_controller, chunk) {
        chunks.push(chunk);
      },
      onResponseEnd() {
        resolve({ status, headers, text: chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8') });
      },
      onResponseError(_controller, error) {
        reject(error);
      },
    });
  });
}
