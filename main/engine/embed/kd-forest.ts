import { KdTree, type KdTreeOptions, type FurthestOptions } from './kdtree.js';
import { checkIds, checkQuery, type Exclusion, type FurthestResult } from './kd-distance.js';

export interface ClassKdForestOptions extends KdTreeOptions {
  /** One id per embedding (default 0..n-1); unique across the whole forest. */
  ids?: ArrayLike<number>;
}

/** One kd-tree per class: the index DDS queries for "the most different image of the same class". */
export class ClassKdForest {
  readonly dim: number;
  private readonly trees = new Map<number, KdTree>();
  private readonly labelById = new Map<number, number>();
  private readonly sortedLabels: number[];

  private constructor(dim: number) {
    this.dim = dim;
    this.sortedLabels = [];
  }

  /** Builds one tree per distinct label from `embeddings` (n x dim) and `labels` (n integers). */
  static build(
    embeddings: Float32Array,
    dim: number,
    labels: ArrayLike<number>,
    options: ClassKdForestOptions = {},
  ): ClassKdForest {
    if (!Number.isInteger(dim) || dim < 1)
      throw new Error(`kd-forest: dimension must be a positive integer, got ${dim}.`);
    const n = embeddings.length / dim;
    if (!Number.isInteger(n))
      throw new Error(`kd-forest: ${embeddings.length} values is not a whole number of ${dim}-dimensional embeddings.`);
    if (labels.length !== n)
      throw new Error(`kd-forest: ${labels.length} labels for ${n} embeddings; give one label per embedding.`);
    const ids = options.ids ?? Int32Array.from({ length: n }, (_, i) => i);
    checkIds(ids, n);
    const byLabel = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      const label = labels[i]!;
      if (!Number.isInteger(label)) throw new Error(`kd-forest: label ${label} at position ${i} is not an integer.`);
      let rows = byLabel.get(label);
      if (rows === undefined) byLabel.set(label, (rows = []));
      rows.push(i);
    }
    const forest = new ClassKdForest(dim);
    const treeOptions: KdTreeOptions = {};
    if (options.leafSize !== undefined) treeOptions.leafSize = options.leafSize;
    if (options.centroids !== undefined) treeOptions.centroids = options.centroids;
    for (const label of [...byLabel.keys()].sort((a, b) => a - b)) {
      const rows = byLabel.get(label)!;
      const pts = new Float32Array(rows.length * dim);
      const classIds = new Int32Array(rows.length);
      rows.forEach((row, j) => {
        pts.set(embeddings.subarray(row * dim, row * dim + dim), j * dim);
        classIds[j] = ids[row]!;
        if (forest.labelById.has(ids[row]!))
          throw new Error(`kd-forest: id ${ids[row]} appears twice; ids must be unique.`);
        forest.labelById.set(ids[row]!, label);
      });
      forest.trees.set(label, KdTree.build(pts, dim, classIds, treeOptions));
      forest.sortedLabels.push(label);
    }
    return forest;
  }

  labels(): number[] {
    return [...this.sortedLabels];
  }

  tree(label: number): KdTree | undefined {
    return this.trees.get(label);
  }

  labelOf(id: number): number | undefined {
    return this.labelById.get(id);
  }

  /** The embedding of `id` (a copy), or null. */
  embedding(id: number): Float32Array | null {
    const label = this.labelById.get(id);
    return label === undefined ? null : this.trees.get(label)!.point(id);
  }

  /**
   * The image of class `label` furthest from `from` (an id of that class, itself skipped, or a query
   * embedding), skipping persistent exclusions and `exclude`. Null when the class has no eligible image.
   */
  furthestSameClass(
    from: number | ArrayLike<number>,
    label: number,
    exclude?: Exclusion,
    options?: FurthestOptions,
  ): FurthestResult | null {
    const tree = this.trees.get(label);
    if (typeof from === 'number') {
      const own = this.labelById.get(from);
      if (own === undefined)
        throw new Error(`kd-forest: id ${from} has no embedding; re-compute the embeddings for this dataset.`);
      if (own !== label) throw new Error(`kd-forest: id ${from} is in class ${own}, not ${label}.`);
      return tree!.furthestFromId(from, exclude, options);
    }
    if (tree === undefined) {
      checkQuery(from, this.dim);
      return null;
    }
    return tree.furthest(from, exclude, options);
  }

  /** Excludes `id` from later queries (its class's tree); O(log n). */
  exclude(id: number): boolean {
    const label = this.labelById.get(id);
    return label !== undefined && this.trees.get(label)!.exclude(id);
  }

  restore(id: number): boolean {
    const label = this.labelById.get(id);
    return label !== undefined && this.trees.get(label)!.restore(id);
  }

  isExcluded(id: number): boolean {
    const label = this.labelById.get(id);
    return label !== undefined && this.trees.get(label)!.isExcluded(id);
  }

  clearExclusions(): void {
    for (const tree of this.trees.values()) tree.clearExclusions();
  }
}
