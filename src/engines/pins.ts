// Pinned engine versions: what `authz-bench engines install` installs, which container
// images the `container` launch strategy uses, and where each binary comes from.

export type ServerEngineId = 'openfga' | 'opa' | 'cerbos';

export interface EnginePin {
  id: ServerEngineId;
  name: string;
  /** The version without a leading `v`, as results record it. */
  version: string;
  /** Pinned container image (launch strategy `container`). */
  image: string;
  /** `go install <goPackage>@v<version>` into .engines/bin, or an npm platform package. */
  source: { kind: 'go'; goPackage: string; goModule: string; binary: string } | { kind: 'npm'; packagePrefix: string };
}

export const ENGINE_PINS: Readonly<Record<ServerEngineId, EnginePin>> = Object.freeze({
  openfga: {
    id: 'openfga',
    name: 'OpenFGA',
    version: '1.22.1',
    image: 'openfga/openfga:v1.22.1',
    source: { kind: 'go', goPackage: 'github.com/openfga/openfga/cmd/openfga', goModule: 'github.com/openfga/openfga', binary: 'openfga' },
  },
  opa: {
    id: 'opa',
    name: 'Open Policy Agent',
    version: '1.22.4',
    image: 'openpolicyagent/opa:1.22.4',
    source: { kind: 'go', goPackage: 'github.com/open-policy-agent/opa', goModule: 'github.com/open-policy-agent/opa', binary: 'opa' },
  },
  cerbos: {
    id: 'cerbos',
    name: 'Cerbos',
    version: '0.55.0',
    image: 'ghcr.io/cerbos/cerbos:0.55.0',
    source: { kind: 'npm', packagePrefix: '@cerbos/cerbos' },
  },
});

export const SERVER_ENGINE_IDS: readonly ServerEngineId[] = ['openfga', 'opa', 'cerbos'];

/** Minimum Go for `go install` of the pinned versions. */
export const MIN_GO = { major: 1, minor: 24 };
