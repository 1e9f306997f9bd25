/**
 * Genotypes of the two search spaces: the zod schemas of the types, the JSON document with provenance, and
 * `parseGenotype` (which reads all three formats, JSON included). Everything that needs no zod lives in
 * genotype/ (ops.ts: operation lists, types, edge orders; text.ts: DARTS and NAS-Bench-201 text; derive.ts:
 * derivation from α; draw.ts: the cell drawing), which the renderer imports to keep zod out of its bundle.
 */
import { z } from 'zod';
import {
  DARTS_OPS,
  NB201_OPS,
  type DartsGenotype as DartsGenotypeT,
  type DartsOp as DartsOpT,
  type Genotype as GenotypeT,
  type Nb201Genotype as Nb201GenotypeT,
  type Nb201Op as Nb201OpT,
} from './genotype/ops.js';
import {
  GenotypeFormatError,
  formatGenotype,
  parseDartsGenotype,
  parseNb201,
  validateGenotype,
} from './genotype/text.js';

export const DartsOp = z.enum(DARTS_OPS);
export type DartsOp = z.infer<typeof DartsOp>;

export const Nb201Op = z.enum(NB201_OPS);
export type Nb201Op = z.infer<typeof Nb201Op>;

/** (operation, input node): input 0 and 1 are the cell inputs (c_{k-2}, c_{k-1}), 2.. the intermediate nodes. */
const DartsGene = z.tuple([DartsOp, z.number().int().min(0)]);

export const DartsGenotype = z.object({
  space: z.literal('darts'),
  /** Two genes per intermediate node, node by node (8 for 4 steps). */
  normal: z.array(DartsGene),
  normalConcat: z.array(z.number().int().min(0)),
  reduce: z.array(DartsGene),
  reduceConcat: z.array(z.number().int().min(0)),
});
export type DartsGenotype = z.infer<typeof DartsGenotype>;

export const Nb201Genotype = z.object({
  space: z.literal('nb201'),
  /** nodes[i-1] = the edges into node i (i = 1..3), one per earlier node j, as (operation, j) in j order. */
  nodes: z.array(z.array(z.tuple([Nb201Op, z.number().int().min(0)]))),
});
export type Nb201Genotype = z.infer<typeof Nb201Genotype>;

export const Genotype = z.discriminatedUnion('space', [DartsGenotype, Nb201Genotype]);
export type Genotype = z.infer<typeof Genotype>;

// The schemas' types and genotype/ops.ts's plain types must stay interchangeable: each line fails to compile
// when one side changes without the other.
type MutuallyAssignable<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _sameTypes: [
  MutuallyAssignable<DartsOp, DartsOpT>,
  MutuallyAssignable<Nb201Op, Nb201OpT>,
  MutuallyAssignable<DartsGenotype, DartsGenotypeT>,
  MutuallyAssignable<Nb201Genotype, Nb201GenotypeT>,
  MutuallyAssignable<Genotype, GenotypeT>,
] = [true, true, true, true, true];

// ---------------------------------------------------------------------------------------------------------
// Any format

/**
 * Reads a genotype whatever its format: a NAS-Bench-201 string (starts with '|'), DARTS text (contains
 * `Genotype(`), or a winnow-genotype JSON document (starts with '{').
 */
export function parseGenotype(text: string): Genotype {
  const t = text.trim();
  if (t.startsWith('|')) return parseNb201(text);
  if (t.startsWith('{')) return parseGenotypeJson(text).genotype;
  if (/\bGenotype\s*\(/.test(t)) return parseDartsGenotype(text);
  throw new GenotypeFormatError(
    'not a genotype: expected DARTS text such as Genotype(normal=[...], normal_concat=range(2, 6), reduce=[...], reduce_concat=range(2, 6)) ' +
      'or a NAS-Bench-201 string such as |nor_conv_3x3~0|+|...|...|+|...|...|...|',
  );
}

// ---------------------------------------------------------------------------------------------------------
// JSON with provenance

export const GenotypeProvenance = z.object({
  app: z.string(),
  /** ISO 8601 */
  createdAt: z.string(),
  jobId: z.number().int().nullable(),
  datasetId: z.number().int().nullable(),
  datasetName: z.string().nullable(),
  datasetHash: z.string().nullable(),
  space: z.enum(['darts', 'nb201']),
  strategy: z.string(),
  /** The search algorithm (shared/search.ts SEARCH_ALGORITHMS) and its own parameters; absent before they existed. */
  algorithm: z.string().optional(),
  algorithmParams: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.number())])).optional(),
  seed: z.number().int(),
  epochs: z.number().int(),
  /** The JPEG round trip the search's images went through [Poyser-thesis §6]; absent: the original images. */
  jpeg: z.object({ quality: z.number().int(), subsampling: z.string() }).optional(),
  /** α at the end of the search (raw, as stored); rows follow dartsEdgeList / NB201_EDGE_LIST. */
  alphas: z
    .object({ normal: z.array(z.array(z.number())), reduce: z.array(z.array(z.number())).optional() })
    .nullable(),
  metrics: z.record(z.string(), z.number()),
});
export type GenotypeProvenance = z.infer<typeof GenotypeProvenance>;

export const GenotypeJson = z.object({
  format: z.literal('winnow-genotype'),
  version: z.literal(1),
  genotype: Genotype,
  /** formatGenotype(genotype) */
  text: z.string(),
  provenance: GenotypeProvenance,
});
export type GenotypeJson = z.infer<typeof GenotypeJson>;

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.map(String).join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

/** The JSON document saved next to a search (genotype.json). */
export function toGenotypeJson(g: Genotype, provenance: GenotypeProvenance): GenotypeJson {
  const r = GenotypeJson.safeParse({
    format: 'winnow-genotype',
    version: 1,
    genotype: g,
    text: formatGenotype(g),
    provenance,
  });
  if (!r.success) throw new Error(`toGenotypeJson: invalid genotype or provenance: ${describeIssues(r.error)}`);
  if (g.space !== provenance.space)
    throw new Error(`toGenotypeJson: the genotype is ${g.space} but the provenance says ${provenance.space}`);
  return r.data;
}

/** Reads a genotype.json document; checks its schema, the genotype's structure, and that `text` says the same. */
export function parseGenotypeJson(text: string): GenotypeJson {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new GenotypeFormatError(`not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const r = GenotypeJson.safeParse(raw);
  if (!r.success) throw new GenotypeFormatError(`not a winnow genotype document: ${describeIssues(r.error)}`);
  const doc = r.data;
  validateGenotype(doc.genotype);
  if (doc.provenance.space !== doc.genotype.space) {
    throw new GenotypeFormatError(
      `provenance.space is '${doc.provenance.space}' but the genotype is '${doc.genotype.space}'`,
    );
  }
  let fromText: Genotype;
  try {
    if (doc.text.trim().startsWith('{'))
      throw new GenotypeFormatError('it holds JSON, not DARTS text or a NAS-Bench-201 string');
    fromText = parseGenotype(doc.text);
  } catch (e) {
    throw new GenotypeFormatError(`the 'text' field is not a genotype: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (fromText.space !== doc.genotype.space || formatGenotype(fromText) !== formatGenotype(doc.genotype)) {
    throw new GenotypeFormatError("the 'text' field does not match 'genotype'");
  }
  return doc;
}
