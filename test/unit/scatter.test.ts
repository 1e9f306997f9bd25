import { describe, expect, it } from 'vitest';
import { classColor } from '../../shared/class-colors.js';
import { scatterSvg } from '../../main/data/scatter.js';

describe('scatterSvg (the CLI latent map)', () => {
  const names = Array.from({ length: 12 }, (_, i) => `c${i}`);
  const points = [
    { x: 0, y: 0, label: 0 },
    { x: 1, y: 1, label: 11 },
  ];

  it('colours points and legend by class as the app does, past ten classes too', () => {
    const svg = scatterSvg(points, names, 'map', 100);
    const fills = [...svg.matchAll(/<circle [^>]*fill="([^"]+)"/g)].map((m) => m[1]);
    // two points, then one legend key per class
    expect(fills).toEqual([classColor(0), classColor(11), ...names.map((_, i) => classColor(i))]);
    expect(classColor(11)).not.toBe(classColor(1));
  });

  it('puts the extremes at the padded corners and escapes names', () => {
    const svg = scatterSvg(points, ['a<b', 'x & "y"'], 'AE <1>', 100);
    expect(svg).toContain('<circle cx="40.0" cy="60.0"');
    expect(svg).toContain('<circle cx="60.0" cy="40.0"');
    expect(svg).toContain('>a&lt;b</text>');
    expect(svg).toContain('>x &amp; &quot;y&quot;</text>');
    expect(svg).toContain('>AE &lt;1&gt;</text>');
    expect(svg).not.toContain('a<b');
  });
});
