/**
 * The theme in effect (light or dark) and the colours of app.css's variables, for what CSS cannot colour by
 * itself: chart.js canvases and the SVG strings drawn by shared code. Follows `color-scheme` on the root (and
 * the system setting when the root allows both), and changes when either does.
 */
export type ThemeMode = 'light' | 'dark';

export interface ThemeColors {
  text: string;
  muted: string;
  border: string;
  grid: string;
  surface: string;
  accent: string;
  second: string;
}

function read(): { mode: ThemeMode; colors: ThemeColors } {
  const root = document.documentElement;
  const style = getComputedStyle(root);
  const v = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  const scheme = style.colorScheme || '';
  const hasDark = /\bdark\b/.test(scheme);
  const hasLight = /\blight\b/.test(scheme);
  const prefersDark = typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches;
  const mode: ThemeMode = hasDark && (!hasLight || prefersDark) ? 'dark' : 'light';
  return {
    mode,
    colors: {
      text: v('--text', mode === 'dark' ? '#e6e8eb' : '#1b1f24'),
      muted: v('--muted', mode === 'dark' ? '#9aa4af' : '#59636e'),
      border: v('--border', mode === 'dark' ? '#30363d' : '#d9dee5'),
      grid: v('--border-soft', mode === 'dark' ? '#262b31' : '#e9ecf0'),
      surface: v('--surface', mode === 'dark' ? '#161a1f' : '#ffffff'),
      accent: v('--accent', '#1f5bd8'),
      second: v('--warn', '#d97706'),
    },
  };
}

class Theme {
  mode = $state<ThemeMode>('light');
  colors = $state.raw<ThemeColors>(read().colors);

  constructor() {
    this.update();
    if (typeof matchMedia === 'function')
      matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => this.update());
    // A theme switch that sets a class or attribute on <html> re-reads the variables.
    new MutationObserver(() => this.update()).observe(document.documentElement, {
      attributes: true,
      attributeFilter: ['class', 'data-theme', 'style'],
    });
  }

  private update(): void {
    const next = read();
    this.mode = next.mode;
    if (JSON.stringify(next.colors) !== JSON.stringify(this.colors)) this.colors = next.colors;
  }
}

export const theme = new Theme();
