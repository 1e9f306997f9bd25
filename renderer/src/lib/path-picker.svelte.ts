/**
 * The folder browser of browser mode: `client.pickPath` over HTTP opens it (the desktop app opens the system's
 * picker instead). One request at a time; PathPickerDialog (mounted once in App.svelte) draws it and lists folders
 * through `files.browse`, which shows only the home folder and mounted volumes.
 */
import type { BrowseListing, PickPathKind } from '../../../shared/api.js';
import { errorMessage } from './client.js';

export interface PickRequest {
  kind: PickPathKind;
  resolve: (path: string | null) => void;
}

type Browse = (input: { path?: string; kind: PickPathKind; showHidden: boolean }) => Promise<BrowseListing>;

export class PathPicker {
  request = $state<PickRequest | null>(null);
  listing = $state<BrowseListing | null>(null);
  /** A file picked in the listing (kind 'file'), not yet confirmed. */
  selected = $state<string | null>(null);
  showHidden = $state(false);
  loading = $state(false);
  /** Why the last listing failed; shown in the dialog, cleared when it closes. */
  error = $state<string | null>(null);

  constructor(private readonly browse: Browse) {}

  /** Opens the browser; resolves with the chosen path, or null when cancelled. A second call cancels the first. */
  open(kind: PickPathKind): Promise<string | null> {
    this.request?.resolve(null);
    return new Promise((resolve) => {
      this.request = { kind, resolve };
      this.selected = null;
      this.error = null;
      void this.go(this.listing?.path);
    });
  }

  /** Lists `path` (the home folder when absent); a failure keeps the last listing and says why. */
  async go(path?: string): Promise<void> {
    const req = this.request;
    if (!req) return;
    this.loading = true;
    try {
      const listing = await this.browse({ ...(path ? { path } : {}), kind: req.kind, showHidden: this.showHidden });
      if (this.request !== req) return;
      this.listing = listing;
      this.selected = null;
      this.error = null;
    } catch (e) {
      if (this.request !== req) return;
      // a folder that vanished since it was listed: start again from home rather than show nothing
      if (path && !this.listing) return this.go();
      this.error = errorMessage(e);
    } finally {
      this.loading = false;
    }
  }

  toggleHidden(): void {
    this.showHidden = !this.showHidden;
    void this.go(this.listing?.path);
  }

  /** The path the Choose button would return: the selected file, or the folder shown for kind 'folder'. */
  get choice(): string | null {
    if (!this.request || !this.listing) return null;
    return this.request.kind === 'file' ? this.selected : this.listing.path;
  }

  choose(path = this.choice): void {
    if (!path) return;
    this.close(path);
  }

  cancel(): void {
    this.close(null);
  }

  private close(path: string | null): void {
    const req = this.request;
    this.request = null;
    this.error = null;
    this.selected = null;
    req?.resolve(path);
  }
}

/** `parent/child` with the listing's own separator (the server's; Windows paths use '\'). */
export function childPath(listing: BrowseListing, name: string): string {
  const sep = listing.path.includes('\\') && !listing.path.includes('/') ? '\\' : '/';
  return listing.path.endsWith(sep) ? `${listing.path}${name}` : `${listing.path}${sep}${name}`;
}
