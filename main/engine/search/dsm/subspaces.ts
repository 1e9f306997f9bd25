/**
 * The candidate subspaces of [DSM-NAS] §III-B over NAS-Bench-201: K centre cells, each the centre of the subspace
 * Ω_α = {β : D(α, β) ≤ M} (Eq. 3, the distance of Eq. 4 from spaces/nb201/space.ts), and the subspace graph whose
 * directed edges run from a weaker centre to a better one. A centre is replaced by a locally searched β only when β
 * is better (Algorithm 1 lines 12–15); the edges follow from the centres and their accuracies, so replacing a
 * centre updates every edge it touches.
 */
import type { DsmCell, DsmGraphEdge } from '../../../../shared/dsm.js';
import { formatNb201 } from '../../../../shared/genotype/text.js';
import {
  NB201_EDGE_COUNT,
  ball,
  genotypeOfArch,
  indexOfArch,
  indexOfText,
  sampleIndices,
  type Nb201Arch,
  archFromIndex,
} from '../../spaces/nb201/space.js';

/** The positions (edges, 0..5) where two cells differ: the modification that turns one into the other. */
export function changedPositions(a: Nb201Arch, b: Nb201Arch): number[] {
  const out: number[] = [];
  for (let i = 0; i < NB201_EDGE_COUNT; i++) if (a[i] !== b[i]) out.push(i);
  return out;
}

/** Every proposal the local policy may make in Ω_α: the cells within distance M of the centre, the centre excluded. */
export function proposalsWithin(centre: Nb201Arch, m: number): number[][] {
  return ball(centre, m).slice(1);
}

/**
 * The DSM-NAS+ starting cells as indices: at most K NAS-Bench-201 strings, distinct. Throws a message that says
 * what to fix when a string is not a cell or a cell repeats.
 */
export function parseInitCells(k: number, init: readonly string[]): number[] {
  if (init.length > k)
    throw new Error(`${init.length} starting cells were given for ${k} subspaces; give at most ${k}, or raise K.`);
  const chosen: number[] = [];
  for (const [i, text] of init.entries()) {
    let index: number;
    try {
      index = indexOfText(text);
    } catch (e) {
      throw new Error(`Starting cell ${i + 1} is not a NAS-Bench-201 cell: ${(e as Error).message}`);
    }
    if (chosen.includes(index)) throw new Error(`Starting cell ${i + 1} repeats an earlier one (${text}).`);
    chosen.push(index);
  }
  return chosen;
}

/** The K starting centres: the given strings (DSM-NAS+), then distinct cells drawn uniformly (Algorithm 1 line 2). */
export function initialCentres(k: number, init: readonly string[], rng: () => number): number[] {
  const chosen = parseInitCells(k, init);
  while (chosen.length < k) {
    const [index] = sampleIndices(1, rng);
    if (!chosen.includes(index!)) chosen.push(index!);
  }
  return chosen;
}

export function cellOf(index: number, accuracy: number): DsmCell {
  return { index, text: formatNb201(genotypeOfArch(archFromIndex(index))), accuracy };
}

/** The K subspaces: their centres (cell indices) and the centres' inherited-weight accuracies, node order. */
export class SubspaceGraph {
  readonly centres: number[];
  readonly accuracies: number[];

  constructor(centres: readonly number[], accuracies: readonly number[]) {
    if (centres.length !== accuracies.length) throw new Error('Every centre needs its accuracy.');
    this.centres = [...centres];
    this.accuracies = [...accuracies];
  }

  get size(): number {
    return this.centres.length;
  }

  arch(k: number): number[] {
    return archFromIndex(this.centres[k]!);
  }

  /** Whether node `to` is better than node `from`: higher accuracy, ties to the lower node number. */
  better(to: number, from: number): boolean {
    const a = this.accuracies[to]!;
    const b = this.accuracies[from]!;
    return a > b || (a === b && to < from);
  }

  /** The directed edges weaker → better between every pair of nodes, with the positions where their centres differ. */
  edges(): DsmGraphEdge[] {
    const out: DsmGraphEdge[] = [];
    for (let i = 0; i < this.size; i++)
      for (let j = 0; j < this.size; j++)
        if (i !== j && this.better(j, i))
          out.push({ from: i, to: j, positions: changedPositions(this.arch(i), this.arch(j)) });
    return out;
  }

  /**
   * Algorithm 1 lines 12–15: β replaces the centre of node k when it is better (R(β|α) > 0) and is not already the
   * centre of another node (two equal nodes would waste a subspace). Returns whether it did.
   */
  replace(k: number, beta: Nb201Arch, accuracy: number): boolean {
    const index = indexOfArch(beta);
    if (!(accuracy > this.accuracies[k]!) || this.centres.includes(index)) return false;
    this.centres[k] = index;
    this.accuracies[k] = accuracy;
    return true;
  }

  /** The node with the best centre (ties: the lower node number). */
  best(): number {
    let b = 0;
    for (let k = 1; k < this.size; k++) if (this.better(k, b)) b = k;
    return b;
  }

  cells(): DsmCell[] {
    return this.centres.map((c, k) => cellOf(c, this.accuracies[k]!));
  }
}
