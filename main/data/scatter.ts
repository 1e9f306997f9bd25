/** A latent map as an image: an SVG scatter plot (coloured by class, with a legend), PNG via sharp. */
import sharp from 'sharp';
import { classColor } from '../../shared/class-colors.js';

const escape = (s: string): string =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export function scatterSvg(
  points: ReadonlyArray<{ x: number; y: number; label: number }>,
  classNames: readonly string[],
  title: string,
  size = 800,
): string {
  const pad = 40;
  const legend = 160;
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const sx = (x: number) => pad + ((x - x0) / (x1 - x0 || 1)) * (size - 2 * pad);
  const sy = (y: number) => size - pad - ((y - y0) / (y1 - y0 || 1)) * (size - 2 * pad);
  const dots = points
    .map(
      (p) =>
        `<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="2.5" fill="${classColor(p.label)}" fill-opacity="0.75"/>`,
    )
    .join('');
  const keys = classNames
    .map(
      (n, i) =>
        `<circle cx="${size + 16}" cy="${pad + i * 20}" r="5" fill="${classColor(i)}"/><text x="${size + 28}" y="${pad + i * 20 + 4}" font-size="13" font-family="sans-serif">${escape(n)}</text>`,
    )
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size + legend}" height="${size}" viewBox="0 0 ${size + legend} ${size}">` +
    `<rect width="100%" height="100%" fill="#ffffff"/><text x="${pad}" y="24" font-size="15" font-family="sans-serif">${escape(title)}</text>${dots}${keys}</svg>`
  );
}

export async function scatterPng(svg: string): Promise<Buffer> {
  return sharp(Buffer.from(svg)).png().toBuffer();
}
