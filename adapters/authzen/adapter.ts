// The generic AuthZEN engine: checks and batches sent to a PDP over the AuthZEN
// Authorization API 1.0, endpoints discovered through its metadata document. The PDP serves
// its own policy and data, so the harness can neither load a model nor change relationships
// in it: the adapter is read-only, and a scenario that changes policy or data is unsupported.
// The scenario's model and relationships are expected to be in the PDP already (e.g.
// `authz-bench serve --engine <id> --scenario <id>`).

import type { AdapterInfo, AdapterSpec, EngineDefinition, RunContext } from '../../src/core/adapter.ts';
import type { CheckRequest, Decision } from '../../src/core/request.ts';
import type { SearchAnswer, SearchQuery } from '../../src/core/search.ts';
import { AuthzenClient, defaultEndpoints, discover, endpointsFrom, type AuthzenEndpoints } from '../../src/authzen/client.ts';
import { AUTHZEN_PATHS } from '../../src/authzen/wire.ts';
import { errorMessage } from '../../src/core/errors.ts';
import { safeUrl, urlCredentials } from '../../src/engines/launch.ts';

export const READ_ONLY_REASON = 'the AuthZEN PDP is reached by URL and serves its own policy and data; AuthZEN has no API to load a model or write relationships';

export class AuthzenPdpAdapter implements AdapterSpec {
  readonly embedded = false;
  readonly decisionLog = 'none';
  readonly readOnly = READ_ONLY_REASON;
  private client: AuthzenClient | undefined;
  private url: string | undefined;
  private discovery = 'not started';

  constructor(private readonly definition: EngineDefinition) {}

  info(): AdapterInfo {
    return {
      name: this.definition.name,
      version: 'unknown',
      launch: 'url',
      settings: {
        pdp: this.url ? safeUrl(this.url) : 'none',
        endpoints: this.discovery,
        batch: this.client?.endpoints.evaluations ? 'Access Evaluations API (execute_all), every item complete' : 'one Access Evaluation at a time (no evaluations endpoint)',
        search: Object.keys(this.client?.endpoints.search ?? {}).join(', ') || 'none advertised',
      },
    };
  }

  async start(context: RunContext): Promise<void> {
    const url = context.launch.url?.replace(/\/$/, '');
    if (!url) throw new Error(`the ${this.definition.id} engine is reached by URL only: use --engine ${this.definition.id}=http://host:port (token from AUTHZ_BENCH_AUTHZEN_TOKEN)`);
    const { headers } = urlCredentials(this.definition.id);
    const endpoints = await this.endpointsOf(url, headers, context.log);
    this.url = url;
    this.client = new AuthzenClient(url, { headers, endpoints });
  }

  /** From the metadata document; the spec's default paths when the PDP publishes none (404) or one that must not be used. */
  private async endpointsOf(url: string, headers: Record<string, string>, log: (m: string) => void): Promise<AuthzenEndpoints> {
    try {
      const metadata = await discover(url, headers);
      this.discovery = `from ${AUTHZEN_PATHS.metadata}`;
      return endpointsFrom(metadata);
    } catch (error) {
      const message = errorMessage(error);
      // Not reachable at all: the engine did not start.
      if (/fetch failed|ECONNREFUSED|ENOTFOUND|timeout/i.test(message)) throw new Error(`AuthZEN PDP at ${safeUrl(url)} is not reachable: ${message}`);
      this.discovery = `default paths (metadata not usable: ${message.slice(0, 160)})`;
      log(`metadata not usable, using the spec's default paths: ${message}`);
      return defaultEndpoints(url);
    }
  }

  private get pdp(): AuthzenClient {
    if (!this.client) throw new Error('AuthZEN engine: start() was not called');
    return this.client;
  }

  /** Nothing to load: the PDP holds its own policy (readOnly); the runner makes scenarios that change it unsupported. */
  async loadModel(): Promise<void> {}

  /** The scenario's relationships are the PDP's own data already (readOnly); nothing is sent. */
  async write(): Promise<void> {}

  async delete(): Promise<void> {}

  check(request: CheckRequest): Promise<Decision> {
    return this.pdp.evaluate(request);
  }

  checkBatch(requests: CheckRequest[]): Promise<Decision[]> {
    return this.pdp.evaluateMany(requests);
  }

  /** The searches the PDP advertises in its metadata; the others are unsupported. */
  search(query: SearchQuery): Promise<SearchAnswer> {
    return this.pdp.search(query);
  }

  /** Reachable: any HTTP answer from the evaluation endpoint's host. */
  async health(): Promise<string | undefined> {
    if (!this.url) return 'not started';
    try {
      await fetch(this.url, { signal: AbortSignal.timeout(3000) }).then((r) => r.body?.cancel());
      return undefined;
    } catch (error) {
      return `AuthZEN PDP at ${safeUrl(this.url)} does not answer: ${errorMessage(error)}`;
    }
  }

  async stop(): Promise<void> {
    await this.client?.close();
    this.client = undefined;
  }
}
