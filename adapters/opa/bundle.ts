// Configuration `opa[bundle]`: OPA pulls its policy and data as a bundle from an HTTP server,
// as production deployments do (OPA docs, "Bundles"). The harness is that server: it listens
// on 127.0.0.1 on a free port and serves the latest gzipped tarball, with an ETag so that an
// unchanged bundle costs OPA a 304. Every change of policy or data publishes a new revision;
// OPA picks it up at its next poll (`bundles.<name>.polling.min/max_delay_seconds`).

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

export const BUNDLE_NAME = 'authzbench';
const RESOURCE = `/bundles/${BUNDLE_NAME}.tar.gz`;

/** One tar entry: a ustar header (512 bytes) and the content padded to 512 bytes. */
function tarEntry(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(512);
  const field = (value: string, offset: number, length: number) => header.write(value, offset, length, 'ascii');
  const octal = (value: number, length: number) => value.toString(8).padStart(length - 1, '0');
  field(name, 0, 100);
  field(octal(0o644, 8), 100, 8);
  field(octal(0, 8), 108, 8);
  field(octal(0, 8), 116, 8);
  field(octal(content.length, 12), 124, 12);
  field(octal(0, 12), 136, 12);
  field('        ', 148, 8); // the checksum counts its own field as spaces
  field('0', 156, 1);
  field('ustar\u000000', 257, 8);
  const checksum = header.reduce((sum, byte) => sum + byte, 0);
  field(`${octal(checksum, 7)}\u0000 `, 148, 8);
  const padding = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([header, content, padding]);
}

/** A gzipped tarball of these files (paths inside the bundle, no leading slash). */
export function tarGz(files: Record<string, string>): Buffer {
  const entries = Object.entries(files).map(([name, text]) => tarEntry(name, Buffer.from(text, 'utf8')));
  return gzipSync(Buffer.concat([...entries, Buffer.alloc(1024)]));
}

/** OPA config: bundles from `url`, polled every `delaySeconds` (min = max: a fixed interval). */
export function opaBundleConfig(url: string, delaySeconds: number): Record<string, unknown> {
  return {
    services: { bundles: { url } },
    bundles: { [BUNDLE_NAME]: { service: 'bundles', resource: RESOURCE, polling: { min_delay_seconds: delaySeconds, max_delay_seconds: delaySeconds } } },
  };
}

/** The harness's bundle server: the newest published bundle, by revision. */
export class BundleServer {
  private server: Server | undefined;
  private bundle: Buffer | undefined;
  private revision = 0;
  /** Requests for the bundle OPA made, and how many were answered with a new one. */
  readonly served = { polls: 0, downloads: 0 };

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      if (request.url !== RESOURCE || !this.bundle) {
        response.writeHead(404).end();
        return;
      }
      this.served.polls++;
      const etag = `"r${this.revision}"`;
      if (request.headers['if-none-match'] === etag) {
        response.writeHead(304, { etag }).end();
        return;
      }
      this.served.downloads++;
      response.writeHead(200, { 'content-type': 'application/gzip', etag }).end(this.bundle);
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(0, '127.0.0.1', () => resolve());
    });
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Serves a new revision holding the policy modules and the data document; returns its revision string. */
  publish(modules: Record<string, string>, data: Record<string, unknown>, roots: string[]): string {
    const revision = `r${++this.revision}`;
    this.bundle = tarGz({ '.manifest': JSON.stringify({ revision, roots }), 'data.json': JSON.stringify(data), ...modules });
    return revision;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
