// The `container` launch strategy: testcontainers GenericContainer with a pinned image,
// host ports published on 127.0.0.1 only, and the engine's health endpoint as wait strategy.
// Only used when a Docker engine is reachable (dockerReachable()).

import { createWriteStream, existsSync } from 'node:fs';
import { request } from 'node:http';
import type { GenericContainer, StartedTestContainer } from 'testcontainers';

// testcontainers is imported lazily, since only the container strategy needs it. It is
// pinned to 11.x: 12.x loads an undici that needs Node >= 22.

/** Everything needed to start an engine container; plain data so tests can check it without Docker. */
export interface ContainerSpec {
  readonly image: string;
  /** Container ports, published on random host ports of 127.0.0.1. */
  readonly exposedPorts: readonly number[];
  readonly command: readonly string[];
  readonly environment: Readonly<Record<string, string>>;
  /** Files written into the container before it starts. */
  readonly files: readonly { readonly target: string; readonly content: string }[];
  readonly wait: { readonly path: string; readonly port: number; readonly status: number };
  readonly startupTimeoutMs: number;
}

type PortBindings = Record<string, { HostIp?: string; HostPort?: string }[]>;

/** Host port bindings pinned to 127.0.0.1 (Docker otherwise publishes on every interface). */
export function loopbackBindings(bindings: PortBindings | undefined): PortBindings {
  const out: PortBindings = {};
  for (const [key, list] of Object.entries(bindings ?? {})) out[key] = (list ?? [{ HostPort: '0' }]).map((b) => ({ ...b, HostIp: '127.0.0.1' }));
  return out;
}

/** A GenericContainer (testcontainers) for the spec, its ports published on the loopback interface only. Not started. */
export async function buildContainer(spec: ContainerSpec): Promise<GenericContainer> {
  const { GenericContainer, Wait } = await import('testcontainers');
  class LoopbackContainer extends GenericContainer {
    pinToLoopback(): void {
      this.hostConfig.PortBindings = loopbackBindings(this.hostConfig.PortBindings as PortBindings);
    }
    protected override async beforeContainerCreated(): Promise<void> {
      this.pinToLoopback();
    }
  }
  const container = new LoopbackContainer(spec.image)
    .withExposedPorts(...spec.exposedPorts)
    .withCommand([...spec.command])
    .withEnvironment({ ...spec.environment })
    .withWaitStrategy(Wait.forHttp(spec.wait.path, spec.wait.port).forStatusCode(spec.wait.status))
    .withStartupTimeout(spec.startupTimeoutMs);
  if (spec.files.length > 0) container.withCopyContentToContainer(spec.files.map((f) => ({ content: f.content, target: f.target })));
  container.pinToLoopback();
  return container;
}

export interface StartedEngineContainer {
  container: StartedTestContainer;
  url(port: number): string;
  address(port: number): string;
  stop(): Promise<void>;
}

export async function startContainer(spec: ContainerSpec, logFile?: string): Promise<StartedEngineContainer> {
  const container = await buildContainer(spec);
  if (logFile) {
    const out = createWriteStream(logFile, { flags: 'a' });
    container.withLogConsumer((stream) => stream.pipe(out));
  }
  const started = await container.start();
  const host = started.getHost();
  return {
    container: started,
    url: (port) => `http://${host}:${started.getMappedPort(port)}`,
    address: (port) => `${host}:${started.getMappedPort(port)}`,
    stop: async () => {
      await started.stop();
    },
  };
}

/** Whether a Docker engine answers `/_ping` (DOCKER_HOST unix socket or tcp, else the default socket). */
export async function dockerReachable(timeoutMs = 1000): Promise<boolean> {
  const host = process.env.DOCKER_HOST;
  let target: { socketPath: string } | { host: string; port: number };
  if (host?.startsWith('tcp://')) {
    const u = new URL(host.replace(/^tcp:/, 'http:'));
    target = { host: u.hostname, port: Number(u.port || 2375) };
  } else {
    const socketPath = host?.startsWith('unix://') ? host.slice('unix://'.length) : '/var/run/docker.sock';
    if (!existsSync(socketPath)) return false;
    target = { socketPath };
  }
  return new Promise((resolve) => {
    const req = request({ ...target, path: '/_ping', method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}
