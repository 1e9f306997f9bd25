import type { SelectionStrategy } from '../../../shared/search.js';
import { FullSelection } from './full.js';
import type { DataSelection, SelectionPools } from './strategy.js';

/** The strategy a search's params name. */
export function createSelection(name: SelectionStrategy, pools: SelectionPools, seed: number): DataSelection {
  switch (name) {
    case 'full':
      return new FullSelection(pools, seed);
  }
}
