// The load generators authz-bench can export to and import from (docs/benchmarking.md says
// why these). Adding one: a LoadGenerator in its own file, listed here.

import type { LoadGenerator } from './generator.ts';
import { vegeta } from './vegeta.ts';

export const GENERATORS: readonly LoadGenerator[] = [vegeta];
