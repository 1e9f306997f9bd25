/**
 * The papers Winnow follows, read from docs/REFERENCES.md (the one list; the app bundles the file as text): its
 * table of keys, and the keys a help text cites ("[DDS-NAS §3]"), so a field's help can link to the paper's entry
 * on the Settings page (`#/settings?paper=DDS-NAS`). Pure; no DOM.
 */

export interface Reference {
  key: string;
  authors: string;
  title: string;
  venue: string;
  year: string;
}

/** The rows of the references table (`| [KEY] | authors | title | venue | year |`); other lines are skipped. */
export function parseReferences(markdown: string): Reference[] {
  const out: Reference[] = [];
  for (const line of markdown.split('\n')) {
    const m = /^\|\s*\[([^\]]+)\]\s*\|(.*)\|\s*$/.exec(line.trim());
    if (!m) continue;
    const cells = m[2]!.split('|').map((c) => c.trim().replace(/`/g, ''));
    if (cells.length < 4) continue;
    const [authors, title, venue, year] = cells as [string, string, string, string];
    out.push({ key: m[1]!, authors, title, venue, year });
  }
  return out;
}

export interface Citation {
  key: string;
  /** The section cited, e.g. "§3" (empty when the whole paper). */
  section: string;
}

/** The papers a text cites, in order, once each: "[DDS-NAS §3]" -> { key: 'DDS-NAS', section: '§3' }. */
export function citations(text: string | undefined, known?: ReadonlySet<string>): Citation[] {
  if (!text) return [];
  const out: Citation[] = [];
  for (const m of text.matchAll(/\[([A-Za-z][\w-]*)(?:\s+(§[^\]]+))?\]/g)) {
    const key = m[1]!;
    if (known && !known.has(key)) continue;
    if (out.some((c) => c.key === key)) continue;
    out.push({ key, section: m[2]?.trim() ?? '' });
  }
  return out;
}

/** A field's help as a form shows it: one sentence, and the papers it cites (links in FieldHelp.svelte). */
export interface FieldHelpText {
  text: string;
  cites: Citation[];
}

/** The scope a parameter's help starts with ("dds: ", "random / dds: "): the forms show the field only there. */
const SCOPE = /^[a-z][\w-]*(?:\s*\/\s*[a-z][\w-]*)*:\s+/;
const CITATION = /\s*\[[A-Za-z][\w-]*(?:\s+§[^\]]+)?\]/g;

/**
 * A parameter's help text (its schema's description) as a form shows it: without the scope in front, its
 * citations taken out as links, the rest as a sentence; null without a text.
 */
export function fieldHelp(description: string | undefined): FieldHelpText | null {
  if (!description?.trim()) return null;
  const cites = citations(description);
  const bare = description.replace(SCOPE, '').replace(CITATION, '').trim();
  const text = bare ? `${bare[0]!.toUpperCase()}${bare.slice(1)}${/[.!?]$/.test(bare) ? '' : '.'}` : '';
  return { text, cites };
}

/** Where the app shows a paper's entry. */
export const paperHref = (key: string): string => `#/settings?paper=${encodeURIComponent(key)}`;

/** The paper a location hash asks for (`#/settings?paper=DDS-NAS`), else null. */
export function paperOf(hash: string): string | null {
  const q = /\?(.*)$/.exec(hash)?.[1];
  if (!q) return null;
  return new URLSearchParams(q).get('paper');
}
