/**
 * The DSM-NAS view's subspace graph ([DSM-NAS] over NAS-Bench-201): the K centres laid on a circle, the edges between
 * their rims labelled with the positions where two centres differ, and the colour scale (light to dark, lowest
 * accuracy to highest) that fills them. No DOM, no store, no client.
 */
import type { DsmCell, DsmGraphEdge } from '../../../shared/dsm.js';
import { positionLabel } from './dsm.js';
// ---- the colour scale --------------------------------------------------------------------------------------------

/** A sequential scale light → dark (a colour-blind-safe viridis-like ramp), low accuracy → high. */
const RAMP = ['#fde725', '#7ad151', '#22a884', '#2a788e', '#414487', '#440154'] as const;

function hexToRgb(h: string): [number, number, number] {
  const n = parseInt(h.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function rgbToHex([r, g, b]: [number, number, number]): string {
  return `#${[r, g, b].map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;
}

/** The ramp's colour at t in [0, 1] (clamped), linearly between its stops. */
export function rampColour(t: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(x));
  const f = x - i;
  const a = hexToRgb(RAMP[i]!);
  const b = hexToRgb(RAMP[i + 1]!);
  return rgbToHex([a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f]);
}

/** Dark text on a light fill, light on a dark one (relative luminance). */
export function textOn(fill: string): string {
  const [r, g, b] = hexToRgb(fill).map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.25 ? '#1b1f24' : '#ffffff';
}

export interface ColourScale {
  lo: number;
  hi: number;
  colour: (accuracy: number) => string;
  /** Stops for the legend, low to high. */
  stops: { value: number; colour: string }[];
}

/** The accuracies' scale from the lowest to the highest (all equal: every node the middle colour). */
export function colourScale(accuracies: readonly number[], stops = 5): ColourScale {
  const finite = accuracies.filter((a) => Number.isFinite(a));
  const lo = finite.length ? Math.min(...finite) : 0;
  const hi = finite.length ? Math.max(...finite) : 0;
  const colour = (a: number) => rampColour(hi > lo ? (a - lo) / (hi - lo) : 0.5);
  const n = Math.max(2, stops);
  return {
    lo,
    hi,
    colour,
    stops:
      hi > lo
        ? Array.from({ length: n }, (_, i) => {
            const value = lo + ((hi - lo) * i) / (n - 1);
            return { value, colour: colour(value) };
          })
        : [{ value: lo, colour: colour(lo) }],
  };
}

// ---- the subspace graph's layout ---------------------------------------------------------------------------------

export interface GraphNode {
  node: number;
  x: number;
  y: number;
  fill: string;
  text: string;
  cell: DsmCell;
  best: boolean;
  /** The subspace the latest iteration chose. */
  chosen: boolean;
}

export interface GraphEdge {
  from: number;
  to: number;
  /** The segment between the two circles' rims (the arrow ends at `to`'s). */
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  /** Where the label goes: 40% along from `from`, pushed off the line. */
  lx: number;
  ly: number;
  /** The changed positions as edge labels ("1←0 3←2"). */
  label: string;
  positions: number[];
}

export interface GraphLayout {
  width: number;
  height: number;
  radius: number;
  nodes: GraphNode[];
  edges: GraphEdge[];
  scale: ColourScale;
}

/**
 * The K centres on a circle (node 0 at the top, clockwise), coloured by accuracy; the edges as segments between the
 * rims, each labelled with the positions where its two centres differ.
 */
export function layoutGraph(
  centres: readonly DsmCell[],
  edges: readonly DsmGraphEdge[],
  opts: { width?: number; height?: number; best?: number | null; chosen?: number | null } = {},
): GraphLayout {
  const width = opts.width ?? 560;
  const height = opts.height ?? 440;
  const k = centres.length;
  const radius = k > 16 ? 14 : k > 10 ? 18 : 24;
  const ring = Math.max(0, Math.min(width, height) / 2 - radius - 34);
  const cx = width / 2;
  const cy = height / 2;
  const scale = colourScale(centres.map((c) => c.accuracy));
  const nodes: GraphNode[] = centres.map((cell, i) => {
    const angle = -Math.PI / 2 + (2 * Math.PI * i) / Math.max(1, k);
    const fill = scale.colour(cell.accuracy);
    return {
      node: i,
      x: k === 1 ? cx : cx + ring * Math.cos(angle),
      y: k === 1 ? cy : cy + ring * Math.sin(angle),
      fill,
      text: textOn(fill),
      cell,
      best: opts.best === i,
      chosen: opts.chosen === i,
    };
  });
  const out: GraphEdge[] = [];
  for (const e of edges) {
    const a = nodes[e.from];
    const b = nodes[e.to];
    if (!a || !b || e.from === e.to) continue;
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const len = Math.hypot(dx, dy) || 1;
    const ux = dx / len;
    const uy = dy / len;
    // the label sits 40% of the way from the weaker centre: edges crossing the middle keep their labels apart
    const mx = a.x + dx * 0.4;
    const my = a.y + dy * 0.4;
    out.push({
      from: e.from,
      to: e.to,
      x1: a.x + ux * radius,
      y1: a.y + uy * radius,
      x2: b.x - ux * (radius + 3),
      y2: b.y - uy * (radius + 3),
      // off the line by 8 px, on the side away from the circle's centre where it can be
      lx: mx - uy * 8,
      ly: my + ux * 8,
      label: e.positions.map(positionLabel).join(' '),
      positions: [...e.positions],
    });
  }
  return { width, height, radius, nodes, edges: out, scale };
}
