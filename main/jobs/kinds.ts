/** The job kinds Winnow ships with: the one list that names them. */
import { autoencoderKind } from './autoencoder.js';
import { compressKind } from './compress.js';
import { dsmSearchKind } from './dsm-search.js';
import { evaluateKind } from './evaluate.js';
import { experimentKind } from './experiment.js';
import { importKind } from './import.js';
import type { AnyJobKindSpec } from './kind.js';
import { naswotKind } from './naswot.js';
import { searchKind } from './search.js';
import { selftestKind } from './selftest.js';

export const BUILT_IN_KINDS: readonly AnyJobKindSpec[] = [
  selftestKind,
  importKind,
  autoencoderKind,
  searchKind,
  evaluateKind,
  compressKind,
  naswotKind,
  dsmSearchKind,
  experimentKind,
];
