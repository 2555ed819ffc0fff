// A small HTTP receiver for OPA's decision logs. OPA's `decision_logs` plugin POSTs batches
// of events to `<service url>/logs` as gzip-compressed JSON arrays; this keeps them in memory,
// stamped with the time they arrived, so the harness reads what OPA itself reported.
// Binds 127.0.0.1 only.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** One OPA decision log event (the fields we read; OPA sends more). */
export interface OpaDecisionEvent {
  decision_id?: string;
  path?: string;
  input?: unknown;
  result?: unknown;
  timestamp?: string;
  labels?: Record<string, string>;
  erased?: string[];
  masked?: string[];
  [key: string]: unknown;
}

export interface ReceivedEvent {
  event: OpaDecisionEvent;
  /** Date.now() when the batch holding it arrived. */
  receivedAt: number;
}

export class DecisionLogCollector {
  private server: Server | undefined;
  private events: ReceivedEvent[] = [];
  private waiters: (() => void)[] = [];
  /** Batches that could not be read, with the reason; kept for the engine log. */
  readonly failures: string[] = [];
  batches = 0;
  /** Events dropped because more than `maxEvents` were held (long benchmarks). */
  dropped = 0;

  constructor(private readonly maxEvents = 200_000) {}

  async start(): Promise<string> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    return this.url;
  }

  get url(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('decision log collector is not running');
    return `http://127.0.0.1:${address.port}`;
  }

  /** Every event received since the last clear(), in arrival order. */
  received(): ReceivedEvent[] {
    return [...this.events];
  }

  clear(): void {
    this.events = [];
    this.dropped = 0;
  }

  /** Resolves when a batch arrives or after `ms`, whichever is first. */
  nextBatch(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push(done);
    });
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== 'POST') {
      res.writeHead(405).end();
      return;
    }
    try {
      let body = Buffer.concat(chunks);
      if (/gzip/i.test(String(req.headers['content-encoding'] ?? '')) || (body[0] === 0x1f && body[1] === 0x8b)) body = gunzipSync(body);
      const parsed = JSON.parse(body.toString('utf8')) as unknown;
      const list = Array.isArray(parsed) ? parsed : [parsed];
      const receivedAt = Date.now();
      for (const event of list) this.events.push({ event: event as OpaDecisionEvent, receivedAt });
      if (this.events.length > this.maxEvents) {
        const excess = this.events.length - this.maxEvents;
        this.events.splice(0, excess);
        this.dropped += excess;
      }
      this.batches++;
      res.writeHead(200).end();
    } catch (error) {
      this.failures.push(`${req.url}: ${(error as Error).message}`);
      res.writeHead(400).end();
    }
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((w) => w());
  }
}
