/**
 * The renderer's Content-Security-Policy, one definition for both transports (the Electron window and
 * `winnow serve`). Everything comes from the app itself: no remote hosts, no inline or eval'd script, no
 * inline <style>. Chart.js and Svelte 5 set styles through the CSSOM (element.style), which CSP does not
 * govern, so style-src needs no 'unsafe-inline'; static `style="…"` attributes would be blocked, so the
 * renderer uses classes.
 */
export const CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'worker-src': ["'self'"],
  'object-src': ["'none'"],
  'frame-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
});

/** The policy as a header value; `extraConnectSources` adds e.g. the serve mode's ws:// origin. */
export function contentSecurityPolicy(extraConnectSources: readonly string[] = []): string {
  return Object.entries(CSP_DIRECTIVES)
    .map(
      ([name, sources]) =>
        `${name} ${(name === 'connect-src' ? [...sources, ...extraConnectSources] : sources).join(' ')}`,
    )
    .join('; ');
}
