// The one helper every server engine uses to be obtained, in the style of a testcontainers
// module: an engine folder describes its server (a ServerRecipe: named ports, arguments,
// config files, health path) and startServer() returns a started handle, whichever launch
// strategy applies:
//   local:     the pinned binary spawned on 127.0.0.1 and free ports, in its own process group
//   container: the pinned image (testcontainers; only where a Docker engine answers)
//   url:       a server already running elsewhere (`--engine id=URL`), token from the environment

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { EngineDefinition, LaunchRequest } from '../core/adapter.ts';
import { startContainer } from './container.ts';
import { chooseLaunch, safeUrl, urlCredentials } from './launch.ts';
import { startLocalProcess } from './local.ts';
import { binaryPath } from './paths.ts';
import { freePorts } from './ports.ts';

/** Where the server listens and where its config files are, as its arguments need them. */
export interface Listen {
  /** `127.0.0.1` locally; `0.0.0.0` inside a container (the host side is published on 127.0.0.1 only). */
  host: string;
  /** The port of a named listener (`http`, `grpc`...). */
  port(name: string): number;
  /** `host:port` of a named listener. */
  address(name: string): string;
  /** The path of one of the recipe's config files, as the server sees it. */
  file(name: string): string;
  container: boolean;
}

export interface ServerRecipe {
  /** The engine's folder definition: binary, image and version come from it. */
  definition: EngineDefinition;
  /** Named listeners; the first is the HTTP API the handle's url() points at. */
  ports: Readonly<Record<string, { container: number }>>;
  args(listen: Listen): string[];
  /** Config files written before start (name -> content); args reach them through listen.file(name). */
  files?(listen: Listen): Record<string, string>;
  env?: Readonly<Record<string, string>>;
  /** Readiness: GET this path on the first port until accept() says yes (default: HTTP 200). */
  health: { path: string; accept?: (status: number, body: string) => boolean };
  /** Why this server cannot run in a container, where it cannot (e.g. a local datastore). */
  containerUnsupported?: string;
  /** A server reached by URL: its version, where it says (default `unknown`). */
  urlVersion?(url: string, headers: Record<string, string>): Promise<string | undefined>;
  startupTimeoutMs?: number;
}

/** A running engine server, however it was obtained. */
export interface StartedServer {
  /** Base URL of the first (HTTP) listener, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** `host:port` of a named listener; empty for a server reached by URL (only its URL is known). */
  address(name: string): string;
  version: string;
  launch: 'local' | 'container' | 'url';
  /** The server process, when it is ours. */
  pid?: number;
  /** Sent with every request (a bearer token for a server reached by URL); never recorded. */
  headers: Record<string, string>;
  logFile?: string;
  stop(): Promise<void>;
}

export interface ServerLaunch {
  launch: LaunchRequest;
  /** The engine's log file (RunContext.logFile()); config files are written beside it. */
  logFile: string;
  /** Replaces the pinned binary (tests). */
  binary?: string;
}

function listenFor(host: string, ports: Record<string, number>, files: (name: string) => string, container: boolean): Listen {
  const port = (name: string) => {
    const p = ports[name];
    if (p === undefined) throw new Error(`no port named '${name}'`);
    return p;
  };
  return { host, port, address: (name) => `${host}:${port(name)}`, file: files, container };
}

/** Config files beside the log file: `<log>.<name>` (e.g. opa-nolog.config.json). */
const localFile = (logFile: string) => (name: string) => logFile.replace(/(\.log)?$/, `.${name}`);

async function startLocal(recipe: ServerRecipe, options: ServerLaunch): Promise<StartedServer> {
  const names = Object.keys(recipe.ports);
  const free = await freePorts(names.length);
  const ports = Object.fromEntries(names.map((name, i) => [name, free[i]!]));
  mkdirSync(path.dirname(options.logFile), { recursive: true });
  const listen = listenFor('127.0.0.1', ports, localFile(options.logFile), false);
  for (const [name, content] of Object.entries(recipe.files?.(listen) ?? {})) writeFileSync(listen.file(name), content);
  const url = `http://${listen.address(names[0]!)}`;
  const child = await startLocalProcess({
    name: recipe.definition.id,
    binary: options.binary ?? binaryPath(recipe.definition),
    args: recipe.args(listen),
    logFile: options.logFile,
    ...(recipe.env ? { env: recipe.env } : {}),
    health: {
      url: `${url}${recipe.health.path}`,
      ...(recipe.health.accept ? { accept: (r: Response, body: string) => recipe.health.accept!(r.status, body) } : {}),
      timeoutMs: recipe.startupTimeoutMs ?? 30_000,
    },
  });
  return { url, address: listen.address, version: recipe.definition.version, launch: 'local', pid: child.pid, headers: {}, logFile: options.logFile, stop: () => child.stop() };
}

async function startInContainer(recipe: ServerRecipe, options: ServerLaunch): Promise<StartedServer> {
  const { definition } = recipe;
  if (recipe.containerUnsupported) throw new Error(recipe.containerUnsupported);
  if (!definition.image) throw new Error(`${definition.id} has no container image`);
  const names = Object.keys(recipe.ports);
  const ports = Object.fromEntries(names.map((name) => [name, recipe.ports[name]!.container]));
  const listen = listenFor('0.0.0.0', ports, (name) => `/config/${name}`, true);
  const c = await startContainer(
    {
      image: definition.image,
      exposedPorts: Object.values(ports),
      command: recipe.args(listen),
      environment: { ...recipe.env },
      files: Object.entries(recipe.files?.(listen) ?? {}).map(([name, content]) => ({ target: listen.file(name), content })),
      wait: { path: recipe.health.path, port: ports[names[0]!]!, status: 200 },
      startupTimeoutMs: recipe.startupTimeoutMs ?? 120_000,
    },
    options.logFile,
  );
  return {
    url: c.url(ports[names[0]!]!),
    address: (name) => c.address(listen.port(name)),
    version: definition.version,
    launch: 'container',
    headers: {},
    logFile: options.logFile,
    stop: c.stop,
  };
}

async function connectUrl(recipe: ServerRecipe, url: string): Promise<StartedServer> {
  const base = url.replace(/\/$/, '');
  const { headers } = urlCredentials(recipe.definition.id);
  const response = await fetch(`${base}${recipe.health.path}`, { headers, signal: AbortSignal.timeout(5000) }).catch((e: Error) => e);
  if (response instanceof Error || !response.ok) {
    throw new Error(`${recipe.definition.name} at ${safeUrl(base)} is not healthy: ${response instanceof Error ? response.message : `HTTP ${response.status}`}`);
  }
  await response.body?.cancel();
  const version = (await recipe.urlVersion?.(base, headers).catch(() => undefined)) ?? 'unknown';
  return { url: base, address: () => '', version, launch: 'url', headers, stop: async () => {} };
}

/** Starts (or connects to) an engine server by the requested strategy. */
export async function startServer(recipe: ServerRecipe, options: ServerLaunch): Promise<StartedServer> {
  const choice = await chooseLaunch(recipe.definition, options.launch.strategy, options.launch.url ? { url: options.launch.url } : {});
  if (choice.launch === 'skip') throw new Error(choice.reason);
  if (choice.launch === 'url') return connectUrl(recipe, options.launch.url!);
  return choice.launch === 'local' ? startLocal(recipe, options) : startInContainer(recipe, options);
}
