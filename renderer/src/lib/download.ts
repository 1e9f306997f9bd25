/**
 * Saving what the page made (genotype text, JSON, SVG, PNG) as a file, and copying text. Downloads go through a
 * Blob and an object URL on a temporary <a download>: no data: URLs, no server round trip, and the CSP allows it
 * (`img-src` has `blob:` for the PNG rendering).
 */

/** Saves `blob` as `filename` through the browser's download. */
export function saveBlob(filename: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  a.hidden = true;
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Revoking at once can cancel the download in some engines; a minute is plenty.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function saveText(filename: string, mime: string, text: string): void {
  saveBlob(filename, new Blob([text], { type: mime }));
}

/** The drawing size an SVG string declares (width / height attributes, else its viewBox), or null. */
export function svgSize(svg: string): { width: number; height: number } | null {
  const head = /<svg\b[^>]*>/i.exec(svg)?.[0] ?? '';
  const attr = (name: string) => {
    const m = new RegExp(`\\s${name}\\s*=\\s*["']([\\d.]+)(?:px)?["']`, 'i').exec(head);
    return m ? Number(m[1]) : NaN;
  };
  const w = attr('width');
  const h = attr('height');
  if (w > 0 && h > 0) return { width: w, height: h };
  const vb = /\sviewBox\s*=\s*["']\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)\s*["']/i.exec(head);
  if (vb) {
    const vw = Number(vb[1]);
    const vh = Number(vb[2]);
    if (vw > 0 && vh > 0) return { width: vw, height: vh };
  }
  return null;
}

/**
 * Renders an SVG string to a PNG at `scale` times its size: the SVG is loaded as an image from a blob: URL,
 * drawn on a canvas over `background` (SVGs are often transparent; a PNG pasted into a document should not be),
 * and encoded.
 */
export async function svgToPng(svg: string, scale = 2, background: string | null = '#ffffff'): Promise<Blob> {
  const size = svgSize(svg) ?? { width: 600, height: 400 };
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.decoding = 'async';
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('The cell drawing could not be rendered as an image.'));
      img.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(size.width * scale));
    canvas.height = Math.max(1, Math.round(size.height * scale));
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('This browser cannot draw on a canvas, so no PNG can be made.');
    if (background) {
      ctx.fillStyle = background;
      ctx.fillRect(0, 0, canvas.width, canvas.height);
    }
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) => {
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('The PNG could not be encoded.'))), 'image/png');
    });
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** `name.svg` -> `name.png`. */
export function pngName(svgFilename: string): string {
  return /\.svg$/i.test(svgFilename) ? svgFilename.replace(/\.svg$/i, '.png') : `${svgFilename}.png`;
}

/**
 * Copies `text` to the clipboard. Returns 'copied', or 'selected' when the clipboard is not available (an
 * insecure origin, a denied permission) and the text in `fallback` was selected for the person to copy.
 */
export async function copyText(text: string, fallback: HTMLElement | null): Promise<'copied' | 'selected'> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return 'copied';
    }
  } catch {
    // denied or unavailable: select the text instead
  }
  if (fallback) {
    const sel = window.getSelection();
    if (sel) {
      sel.removeAllRanges();
      const range = document.createRange();
      range.selectNodeContents(fallback);
      sel.addRange(range);
    }
    fallback.focus();
  }
  return 'selected';
}

/** Copies `text` (or, without a clipboard, selects `fallback`) and says which, for the note under the button. */
export async function copyNote(text: string, fallback: HTMLElement | null): Promise<string> {
  return (await copyText(text, fallback)) === 'copied'
    ? 'Copied to the clipboard.'
    : 'The clipboard is not available here: the text is selected, press Ctrl+C (⌘C) to copy it.';
}

/**
 * Runs a save whose `write` resolves to the file name it saved: the note to show ("Saved x."), or '' when it
 * failed (`failed` reports why).
 */
export async function savedNote(write: () => Promise<string>, failed: (e: unknown) => void): Promise<string> {
  try {
    return `Saved ${await write()}.`;
  } catch (e) {
    failed(e);
    return '';
  }
}
