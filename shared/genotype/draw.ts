/** A genotype's cell drawn as a standalone SVG document, and the colour of each operation. */
import { DARTS_OPS, NB201_OPS, type Genotype } from './ops.js';
import { GenotypeFormatError } from './text.js';

/** One colour per operation family (pool, skip, sep, dil, conv, none); mid-luminance, readable on light and dark. */
const FAMILY_COLORS = {
  none: '#8c8c8c',
  pool: '#2a9d8f',
  skip: '#8c6bd1',
  sep: '#e07b39',
  dil: '#d6456b',
  conv: '#3d85d8',
} as const;
type OpFamily = keyof typeof FAMILY_COLORS;

function opFamily(op: string): OpFamily {
  if (op === 'none') return 'none';
  if (op.includes('pool')) return 'pool';
  if (op.startsWith('skip')) return 'skip';
  if (op.startsWith('sep')) return 'sep';
  if (op.startsWith('dil')) return 'dil';
  return 'conv';
}

/** Edge colour of every DARTS and NAS-Bench-201 operation (shared by the cell drawing and the α heatmap). */
export const OP_COLORS: Record<string, string> = Object.freeze(
  Object.fromEntries([...new Set<string>([...DARTS_OPS, ...NB201_OPS])].map((op) => [op, FAMILY_COLORS[opFamily(op)]])),
);

const THEMES = {
  light: {
    bg: '#ffffff',
    text: '#1f2328',
    labelBg: '#ffffff',
    stroke: '#57606a',
    out: '#8c959f',
    input: '#b4eeb4',
    inner: '#add8e6',
    output: '#eee8aa',
  },
  dark: {
    bg: '#1e1f22',
    text: '#e6e6e6',
    labelBg: '#2b2d31',
    stroke: '#a0a7b0',
    out: '#7d8590',
    input: '#2f5d3a',
    inner: '#27526b',
    output: '#6b6230',
  },
} as const;

function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Coordinates with one decimal, no "-0": the same input always gives the same string. */
function num(v: number): string {
  const r = Math.round(v * 10) / 10;
  return String(r === 0 ? 0 : r);
}

interface DrawNode {
  label: string;
  col: number;
  y: number;
  kind: 'input' | 'inner' | 'output';
}
interface DrawEdge {
  from: number;
  to: number;
  op: string | null;
}
interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/**
 * The layout in SVG units: columns apart, a node's box, an operation label's height and width per character, how
 * far an edge that skips columns bends out, and the step by which a label moves to clear what it would cover.
 */
const LAYOUT = { colGap: 190, nodeW: 74, nodeH: 30, labelH: 17, charW: 6.8, bend: 38, nudge: 21 } as const;

const overlaps = (a: Rect, b: Rect, pad = 3): boolean =>
  a.x - pad < b.x + b.w && b.x - pad < a.x + a.w && a.y - pad < b.y + b.h && b.y - pad < a.y + a.h;

function drawGraph(
  nodes: DrawNode[],
  edges: DrawEdge[],
  theme: 'light' | 'dark',
  title: string,
  idPrefix: string,
): string {
  const th = THEMES[theme];
  const cx = (n: DrawNode) => n.col * LAYOUT.colGap;
  const nodeRect = (n: DrawNode): Rect => ({
    x: cx(n) - LAYOUT.nodeW / 2,
    y: n.y - LAYOUT.nodeH / 2,
    w: LAYOUT.nodeW,
    h: LAYOUT.nodeH,
  });
  const obstacles: Rect[] = nodes.map(nodeRect);
  const exit = (n: DrawNode, tx: number, ty: number, otherX: number, otherY: number): [number, number] => {
    let dx = tx - cx(n);
    let dy = ty - n.y;
    const inside = Math.abs(dx) <= LAYOUT.nodeW / 2 && Math.abs(dy) <= LAYOUT.nodeH / 2;
    if (inside) {
      dx = otherX - cx(n);
      dy = otherY - n.y;
    }
    if (dx === 0 && dy === 0) return [cx(n), n.y];
    const t = Math.min(
      dx === 0 ? Infinity : LAYOUT.nodeW / 2 / Math.abs(dx),
      dy === 0 ? Infinity : LAYOUT.nodeH / 2 / Math.abs(dy),
    );
    return [cx(n) + dx * t, n.y + dy * t];
  };

  const bounds = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
  const grow = (x: number, y: number) => {
    bounds.x0 = Math.min(bounds.x0, x);
    bounds.y0 = Math.min(bounds.y0, y);
    bounds.x1 = Math.max(bounds.x1, x);
    bounds.y1 = Math.max(bounds.y1, y);
  };
  for (const r of obstacles) {
    grow(r.x, r.y);
    grow(r.x + r.w, r.y + r.h);
  }

  type Laid = {
    d: [number, number, number, number, number, number];
    color: string;
    family: string;
    label: Rect | null;
    op: string | null;
  };
  const laid: Laid[] = [];
  const pairCount = new Map<string, number>();
  for (const e of edges) {
    const a = nodes[e.from]!;
    const b = nodes[e.to]!;
    const x0 = cx(a);
    const x2 = cx(b);
    const midX = (x0 + x2) / 2;
    const midY = (a.y + b.y) / 2;
    const span = Math.abs(b.col - a.col);
    const sign = midY > 0.5 ? 1 : -1;
    const key = `${e.from}>${e.to}`;
    const dup = pairCount.get(key) ?? 0;
    pairCount.set(key, dup + 1);
    let wantY = midY + sign * LAYOUT.bend * Math.max(0, span - 1);
    if (dup > 0) wantY += (dup % 2 === 1 ? -sign : sign) * Math.ceil(dup / 2) * 2 * LAYOUT.nudge;
    let label: Rect | null = null;
    let my = wantY;
    if (e.op !== null) {
      const w = Math.ceil(e.op.length * LAYOUT.charW) + 12;
      for (let k = 0; k < 41; k++) {
        const step = Math.ceil(k / 2) * (k % 2 === 1 ? 1 : -1) * sign;
        const cand: Rect = { x: midX - w / 2, y: wantY + step * LAYOUT.nudge - LAYOUT.labelH / 2, w, h: LAYOUT.labelH };
        if (k === 40 || !obstacles.some((o) => overlaps(cand, o))) {
          label = cand;
          my = cand.y + LAYOUT.labelH / 2;
          break;
        }
      }
      obstacles.push(label!);
      grow(label!.x, label!.y);
      grow(label!.x + label!.w, label!.y + label!.h);
    }
    // the quadratic's midpoint (t = 1/2) is (P0 + 2C + P2) / 4: choose C so the curve passes through the label
    const c0x = 2 * midX - (x0 + x2) / 2;
    const c0y = 2 * my - (a.y + b.y) / 2;
    const [sx, sy] = exit(a, c0x, c0y, x2, b.y);
    const [ex, ey] = exit(b, c0x, c0y, x0, a.y);
    const qx = 2 * midX - (sx + ex) / 2;
    const qy = 2 * my - (sy + ey) / 2;
    for (let i = 0; i <= 16; i++) {
      const t = i / 16;
      const u = 1 - t;
      grow(u * u * sx + 2 * u * t * qx + t * t * ex, u * u * sy + 2 * u * t * qy + t * t * ey);
    }
    const family = e.op === null ? 'out' : opFamily(e.op);
    const color = e.op === null ? th.out : (OP_COLORS[e.op] ?? FAMILY_COLORS[opFamily(e.op)]);
    laid.push({ d: [sx, sy, qx, qy, ex, ey], color, family, label, op: e.op });
  }

  const M = 16;
  const tx = M - bounds.x0;
  const ty = M - bounds.y0;
  const W = Math.ceil(bounds.x1 - bounds.x0 + 2 * M);
  const H = Math.ceil(bounds.y1 - bounds.y0 + 2 * M);
  const X = (v: number) => num(v + tx);
  const Y = (v: number) => num(v + ty);
  const markerId = (family: string) => `${idPrefix}-arrow-${theme}-${family}`;

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeXml(title)}">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect x="0" y="0" width="${W}" height="${H}" fill="${th.bg}"/>`,
    '<defs>',
  );
  const families = [...new Map(laid.map((l) => [l.family, l.color])).entries()].sort((p, q) =>
    p[0] < q[0] ? -1 : p[0] > q[0] ? 1 : 0,
  );
  for (const [family, color] of families) {
    out.push(
      `<marker id="${markerId(family)}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto">` +
        `<path d="M0,0 L10,5 L0,10 z" fill="${color}"/></marker>`,
    );
  }
  out.push('</defs>', '<g fill="none" stroke-width="1.6">');
  for (const l of laid) {
    const [sx, sy, qx, qy, ex, ey] = l.d;
    out.push(
      `<path d="M${X(sx)},${Y(sy)} Q${X(qx)},${Y(qy)} ${X(ex)},${Y(ey)}" stroke="${l.color}" marker-end="url(#${markerId(l.family)})"/>`,
    );
  }
  out.push('</g>', '<g font-family="Helvetica, Arial, sans-serif" font-size="13" text-anchor="middle">');
  for (const n of nodes) {
    const r = nodeRect(n);
    const fill = n.kind === 'input' ? th.input : n.kind === 'output' ? th.output : th.inner;
    out.push(
      `<rect x="${X(r.x)}" y="${Y(r.y)}" width="${r.w}" height="${r.h}" rx="4" fill="${fill}" stroke="${th.stroke}" stroke-width="1.5"/>`,
      `<text x="${X(cx(n))}" y="${Y(n.y)}" dy="0.35em" fill="${th.text}">${escapeXml(n.label)}</text>`,
    );
  }
  out.push('</g>', '<g font-family="Menlo, Consolas, monospace" font-size="11" text-anchor="middle">');
  for (const l of laid) {
    if (!l.label || l.op === null) continue;
    const r = l.label;
    out.push(
      `<rect x="${X(r.x)}" y="${Y(r.y)}" width="${num(r.w)}" height="${r.h}" rx="5" fill="${th.labelBg}" stroke="${l.color}" stroke-width="1"/>`,
      `<text x="${X(r.x + r.w / 2)}" y="${Y(r.y + r.h / 2)}" dy="0.35em" fill="${th.text}">${escapeXml(l.op)}</text>`,
    );
  }
  out.push('</g>', '</svg>');
  return out.join('\n');
}

export interface CellSvgOptions {
  theme?: 'light' | 'dark';
  /**
   * Starts the ids of the arrow-head markers (`{idPrefix}-arrow-{theme}-{family}`; default `winnow`). Ids are
   * global to a page, so drawings shown on the same page need different prefixes.
   */
  idPrefix?: string;
}

const ID_PREFIX = /^[A-Za-z][A-Za-z0-9_-]*$/;

/**
 * The cell as a standalone SVG document (like DARTS's visualize.py): DARTS cells with inputs c_{k-2}, c_{k-1},
 * intermediate nodes 0.., output c_{k}, one labelled arrow per gene and plain arrows from the concat nodes to
 * the output; NAS-Bench-201 cells with nodes 0..3 (3 = output), one labelled arrow per edge except `none`.
 * No scripts, styles or external references; the same genotype (and options) always gives the same string.
 */
export function cellSvg(g: Genotype, cell: 'normal' | 'reduce' = 'normal', opts?: CellSvgOptions): string {
  const theme = opts?.theme === 'dark' ? 'dark' : 'light';
  const idPrefix = opts?.idPrefix ?? 'winnow';
  if (!ID_PREFIX.test(idPrefix))
    throw new Error(`cellSvg: idPrefix '${idPrefix}' must be a letter followed by letters, digits, '-' or '_'`);
  const nodes: DrawNode[] = [];
  const edges: DrawEdge[] = [];
  if (g.space === 'darts') {
    const genes = cell === 'reduce' ? g.reduce : g.normal;
    const concat = cell === 'reduce' ? g.reduceConcat : g.normalConcat;
    const steps = Math.ceil(genes.length / 2);
    nodes.push({ label: 'c_{k-2}', col: 0, y: -70, kind: 'input' }, { label: 'c_{k-1}', col: 0, y: 70, kind: 'input' });
    for (let i = 0; i < steps; i++)
      nodes.push({ label: String(i), col: i + 1, y: i % 2 === 0 ? -35 : 35, kind: 'inner' });
    nodes.push({ label: 'c_{k}', col: steps + 1, y: 0, kind: 'output' });
    genes.forEach(([op, j], k) => {
      const node = Math.floor(k / 2);
      if (!Number.isInteger(j) || j < 0 || j >= 2 + node)
        throw new GenotypeFormatError(`${cell}[${k}]: input ${j} does not exist before node ${node}`);
      edges.push({ from: j, to: 2 + node, op: String(op) });
    });
    for (const c of concat) {
      if (!Number.isInteger(c) || c < 2 || c >= 2 + steps)
        throw new GenotypeFormatError(`${cell}_concat: ${c} is not an intermediate node`);
      edges.push({ from: c, to: nodes.length - 1, op: null });
    }
    return drawGraph(nodes, edges, theme, `DARTS ${cell} cell`, idPrefix);
  }
  const count = g.nodes.length + 1;
  for (let i = 0; i < count; i++) {
    nodes.push({
      label: String(i),
      col: i,
      y: i === 0 || i === count - 1 ? 0 : i % 2 === 1 ? -50 : 50,
      kind: i === 0 ? 'input' : i === count - 1 ? 'output' : 'inner',
    });
  }
  g.nodes.forEach((into, n) => {
    for (const [op, j] of into) {
      if (!Number.isInteger(j) || j < 0 || j > n)
        throw new GenotypeFormatError(`node ${n + 1} takes an edge from node ${j}, which is not before it`);
      if (op !== 'none') edges.push({ from: j, to: n + 1, op: String(op) });
    }
  });
  return drawGraph(nodes, edges, theme, 'NAS-Bench-201 cell', idPrefix);
}
