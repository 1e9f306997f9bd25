/**
 * The folder browser behind `files.browse`: in browser mode the page cannot open the system's picker, so the server
 * lists folders for it. What it shows is limited to the user's home folder and mounted volumes (removable drives,
 * network mounts): a page that holds the serve token still cannot walk the whole disk. Names and sizes only, never
 * contents; hidden entries only when asked.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowseListing, BrowseRoot } from '../../shared/api.js';
import { ApiError } from './errors.js';

/** More entries than anyone scrolls through; the listing says it was cut. */
const MAX_ENTRIES = 2000;

/** Where mounted volumes appear on each platform (the folders themselves are not roots; what is in them is). */
const MOUNT_PARENTS: Record<string, string[]> = {
  linux: ['/media', '/mnt', '/run/media'],
  darwin: ['/Volumes'],
};

function realOrNull(p: string): string | null {
  try {
    return fs.realpathSync(p);
  } catch {
    return null;
  }
}

function childFolders(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory() || d.isSymbolicLink())
      .map((d) => path.join(dir, d.name));
  } catch {
    return [];
  }
}

/** The home folder and the mounted volumes; `/media/<user>/<disk>` and `/run/media/<user>/<disk>` one level deeper. */
export function browseRoots(home = os.homedir(), platform: string = process.platform): BrowseRoot[] {
  const roots: BrowseRoot[] = [];
  const add = (label: string, p: string) => {
    const real = realOrNull(p);
    if (real && fs.statSync(real).isDirectory() && !roots.some((r) => r.path === real))
      roots.push({ label, path: real });
  };
  add('Home', home);
  if (platform === 'win32') {
    for (const letter of 'CDEFGHIJKLMNOPQRSTUVWXYZ') add(`${letter}:`, `${letter}:\\`);
    return roots;
  }
  for (const parent of MOUNT_PARENTS[platform] ?? []) {
    for (const child of childFolders(parent)) {
      const perUser = parent !== '/mnt' && parent !== '/Volumes';
      const volumes = perUser ? childFolders(child) : [child];
      for (const v of volumes) add(path.basename(v), v);
    }
  }
  return roots;
}

function inside(p: string, root: string): boolean {
  return p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

export interface BrowseInput {
  path?: string | undefined;
  kind: 'folder' | 'file';
  showHidden: boolean;
}

export function browse(input: BrowseInput, roots: BrowseRoot[] = browseRoots()): BrowseListing {
  if (roots.length === 0)
    throw new ApiError('conflict', 'There is no home folder or mounted volume to browse. Type the path instead.');
  const asked = path.resolve(input.path ?? roots[0]!.path);
  const real = realOrNull(asked);
  if (real === null) throw new ApiError('not_found', `${asked} does not exist (any more). Choose another folder.`);
  const root = roots.find((r) => inside(real, r.path));
  if (!root)
    throw new ApiError(
      'bad_input',
      `${asked} is outside your home folder and mounted volumes, which is all this browser shows. Type the path instead.`,
    );
  let dirents: fs.Dirent[];
  try {
    if (!fs.statSync(real).isDirectory()) throw new ApiError('bad_input', `${asked} is a file, not a folder.`);
    dirents = fs.readdirSync(real, { withFileTypes: true });
  } catch (e) {
    if (e instanceof ApiError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new ApiError(
      'bad_input',
      code === 'EACCES' || code === 'EPERM'
        ? `Winnow may not read ${asked} (permission denied). Choose another folder.`
        : `Winnow could not read ${asked} (${code ?? 'unknown error'}). Choose another folder.`,
    );
  }
  const entries: BrowseListing['entries'] = [];
  for (const d of dirents) {
    if (!input.showHidden && d.name.startsWith('.')) continue;
    let isDir = d.isDirectory();
    let size: number | null = null;
    if (d.isSymbolicLink() || d.isFile()) {
      // a link shows as what it points to; a broken one, or one to a device or socket, is left out
      const target = realOrNull(path.join(real, d.name));
      const st = target ? fs.statSync(target, { throwIfNoEntry: false }) : undefined;
      if (!st || (!st.isDirectory() && !st.isFile())) continue;
      isDir = st.isDirectory();
      size = st.isFile() ? st.size : null;
    } else if (!isDir) continue;
    if (!isDir && input.kind === 'folder') continue;
    entries.push({ name: d.name, kind: isDir ? 'folder' : 'file', size });
  }
  entries.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'folder' ? -1 : 1));
  const parent = path.dirname(real);
  return {
    path: real,
    parent: real !== root.path && inside(parent, root.path) ? parent : null,
    root: root.path,
    roots,
    entries: entries.slice(0, MAX_ENTRIES),
    truncated: entries.length > MAX_ENTRIES,
  };
}
