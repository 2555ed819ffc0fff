// cerbos[authzen]: Cerbos's AuthZEN API against its gRPC API on the same policies and
// resolved attributes (test/helpers/authzen-layer.ts).

import { describeNativeVsAuthzen } from '../../test/helpers/authzen-layer.ts';

await describeNativeVsAuthzen('cerbos', 'cerbos[authzen]', 20);
