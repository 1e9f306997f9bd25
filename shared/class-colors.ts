/**
 * One colour per class, the same in the app's latent map and the CLI's PNG of it. Imports nothing (the renderer
 * imports this module).
 */

/** Tableau 10, then the lighter Tableau 20 half; beyond 20 classes, hues spaced by the golden angle. */
const PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
  '#aec7e8',
  '#ffbb78',
  '#98df8a',
  '#ff9896',
  '#c5b0d5',
  '#c49c94',
  '#f7b6d2',
  '#c7c7c7',
  '#dbdb8d',
  '#9edae5',
];

export function classColor(label: number): string {
  if (label >= 0 && label < PALETTE.length) return PALETTE[label]!;
  const hue = Math.round((label * 137.508) % 360);
  return `hsl(${hue}, 62%, ${label % 2 ? 42 : 58}%)`;
}
