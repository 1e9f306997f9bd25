/**
 * The NAS-Bench-201 cell space as discrete architectures: 6 edges (NB201_EDGE_LIST order), one of 5 operations
 * (NB201_OPS order) each, 5^6 = 15,625 cells. An architecture is its 6 operation indices; its index in [0, 15625)
 * reads them as base-5 digits, edge 0 the most significant; its text is the benchmark's string
 * (`|nor_conv_3x3~0|+|...|`, shared/genotype/text.ts).
 *
 * The architecture distance is [DSM-NAS] Eq. 4: the number of components (here edges) whose operation differs.
 * `sampleWithin` draws uniformly from the ball D(centre, β) ≤ M; `ball` lists it (for small M, and for tests).
 */
import {
  NB201_EDGE_LIST,
  NB201_NODES,
  NB201_OPS,
  type Nb201Genotype,
  type Nb201Op,
} from '../../../../shared/genotype/ops.js';
import { formatNb201, parseNb201 } from '../../../../shared/genotype/text.js';

export const NB201_EDGE_COUNT = NB201_EDGE_LIST.length;
export const NB201_OP_COUNT = NB201_OPS.length;
/** 5^6. */
export const NB201_SPACE_SIZE = NB201_OP_COUNT ** NB201_EDGE_COUNT;

/** One cell: the operation index (into NB201_OPS) of each edge, in NB201_EDGE_LIST order. */
export type Nb201Arch = readonly number[];

function checkIndex(index: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= NB201_SPACE_SIZE)
    throw new RangeError(`NB201 architecture index ${index} is outside 0..${NB201_SPACE_SIZE - 1}.`);
}

function checkArch(arch: Nb201Arch): void {
  if (arch.length !== NB201_EDGE_COUNT || arch.some((o) => !Number.isInteger(o) || o < 0 || o >= NB201_OP_COUNT)) {
    throw new RangeError(
      `An NB201 architecture is ${NB201_EDGE_COUNT} operation indices in 0..${NB201_OP_COUNT - 1}; got [${arch.join(', ')}].`,
    );
  }
}

export function archFromIndex(index: number): number[] {
  checkIndex(index);
  const ops = new Array<number>(NB201_EDGE_COUNT);
  let rest = index;
  for (let e = NB201_EDGE_COUNT - 1; e >= 0; e--) {
    ops[e] = rest % NB201_OP_COUNT;
    rest = Math.floor(rest / NB201_OP_COUNT);
  }
  return ops;
}

export function indexOfArch(arch: Nb201Arch): number {
  checkArch(arch);
  return arch.reduce((acc, o) => acc * NB201_OP_COUNT + o, 0);
}

/** The architecture as a genotype: nodes[i-1] = the edges into node i, (operation, j) in j order. */
export function genotypeOfArch(arch: Nb201Arch): Nb201Genotype {
  checkArch(arch);
  const nodes: [Nb201Op, number][][] = Array.from({ length: NB201_NODES - 1 }, () => []);
  NB201_EDGE_LIST.forEach((e, k) => nodes[e.to - 1]!.push([NB201_OPS[arch[k]!]!, e.from]));
  for (const n of nodes) n.sort((a, b) => a[1] - b[1]);
  return { space: 'nb201', nodes };
}

export function archOfGenotype(g: Nb201Genotype): number[] {
  return NB201_EDGE_LIST.map((e) => {
    const gene = g.nodes[e.to - 1]?.find(([, j]) => j === e.from);
    if (!gene) throw new RangeError(`The genotype has no edge ${e.to}<-${e.from}.`);
    return NB201_OPS.indexOf(gene[0]);
  });
}

/** The benchmark's string of an architecture index, e.g. `|nor_conv_3x3~0|+|none~0|skip_connect~1|+|...|`. */
export function archText(index: number): string {
  return formatNb201(genotypeOfArch(archFromIndex(index)));
}

/** The index of an architecture string (throws GenotypeFormatError, saying what is wrong, on a bad string). */
export function indexOfText(text: string): number {
  return indexOfArch(archOfGenotype(parseNb201(text)));
}

/** [DSM-NAS] Eq. 4: Σ_i 1{α(i) ≠ β(i)}, the number of edges whose operation differs. */
export function archDistance(a: Nb201Arch, b: Nb201Arch): number {
  checkArch(a);
  checkArch(b);
  let d = 0;
  for (let i = 0; i < NB201_EDGE_COUNT; i++) if (a[i] !== b[i]) d++;
  return d;
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

/** |{β : D(α, β) = d}| = C(L, d)·(ops − 1)^d; the ball of radius M holds the sum over d ≤ M ([DSM-NAS] §III). */
export function shellSize(d: number): number {
  return binomial(NB201_EDGE_COUNT, d) * (NB201_OP_COUNT - 1) ** d;
}

function checkRadius(m: number): void {
  if (!Number.isInteger(m) || m < 0 || m > NB201_EDGE_COUNT)
    throw new RangeError(`The distance limit M must be an integer in 0..${NB201_EDGE_COUNT}; got ${m}.`);
}

/** Every architecture within distance M of the centre (the centre first, then by distance, then by index). */
export function ball(centre: Nb201Arch, m: number): number[][] {
  checkArch(centre);
  checkRadius(m);
  const out: number[][] = [];
  const walk = (arch: number[], from: number, changed: number): void => {
    out.push([...arch]);
    if (changed === m) return;
    for (let e = from; e < NB201_EDGE_COUNT; e++) {
      for (let o = 0; o < NB201_OP_COUNT; o++) {
        if (o === centre[e]) continue;
        arch[e] = o;
        walk(arch, e + 1, changed + 1);
        arch[e] = centre[e]!;
      }
    }
  };
  walk([...centre], 0, 0);
  return out.sort((a, b) => archDistance(centre, a) - archDistance(centre, b) || indexOfArch(a) - indexOfArch(b));
}

/**
 * One architecture drawn uniformly from the ball D(centre, β) ≤ M: a distance d with probability ∝ shellSize(d),
 * then d edges uniformly, then for each a different operation uniformly. `rng` returns floats in [0, 1).
 */
export function sampleWithin(centre: Nb201Arch, m: number, rng: () => number): number[] {
  checkArch(centre);
  checkRadius(m);
  const sizes = Array.from({ length: m + 1 }, (_, d) => shellSize(d));
  let u = rng() * sizes.reduce((a, b) => a + b, 0);
  let d = 0;
  while (d < m && u >= sizes[d]!) u -= sizes[d++]!;
  const edges = Array.from({ length: NB201_EDGE_COUNT }, (_, i) => i);
  for (let i = 0; i < d; i++) {
    const j = i + Math.floor(rng() * (NB201_EDGE_COUNT - i));
    [edges[i], edges[j]] = [edges[j]!, edges[i]!];
  }
  const out = [...centre];
  for (const e of edges.slice(0, d)) {
    const o = Math.floor(rng() * (NB201_OP_COUNT - 1));
    out[e] = o >= centre[e]! ? o + 1 : o;
  }
  return out;
}

/** N distinct architecture indices drawn uniformly from the whole space (all of them, in order, when N ≥ 15,625). */
export function sampleIndices(n: number, rng: () => number): number[] {
  if (n >= NB201_SPACE_SIZE) return Array.from({ length: NB201_SPACE_SIZE }, (_, i) => i);
  const chosen = new Set<number>();
  while (chosen.size < n) chosen.add(Math.floor(rng() * NB201_SPACE_SIZE));
  return [...chosen];
}
