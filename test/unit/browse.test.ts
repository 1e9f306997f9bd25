/** The browser mode's folder browser (`files.browse`): what it lists, and what it refuses to show. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { browse, browseRoots } from '../../main/api/browse.js';
import { openTestHost, rejection } from '../helpers/host.js';
import { scratch } from '../helpers/scratch.js';

/** A made-up home: data/{digits/, notes.csv (5 bytes)}, .secret/, .profile, a link out of it, a FIFO. */
function fakeHome() {
  const top = fs.realpathSync(scratch());
  const home = path.join(top, 'home');
  const outside = path.join(top, 'elsewhere');
  fs.mkdirSync(path.join(home, 'data', 'digits'), { recursive: true });
  fs.mkdirSync(path.join(home, '.secret'));
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(home, 'data', 'notes.csv'), 'a,b\n1');
  fs.writeFileSync(path.join(home, '.profile'), 'x');
  fs.symlinkSync(outside, path.join(home, 'out'));
  fs.symlinkSync(path.join(home, 'data'), path.join(home, 'data-link'));
  execFileSync('mkfifo', [path.join(home, 'data', 'pipe')]);
  return { home, outside, roots: [{ label: 'Home', path: home }] };
}

describe('files.browse', () => {
  it('lists the home folder by default, folders first, hidden entries only when asked', () => {
    const { home, roots } = fakeHome();
    const top = browse({ kind: 'folder', showHidden: false }, roots);
    expect(top).toMatchObject({ path: home, parent: null, root: home, truncated: false });
    // 'out' points outside the roots: listed (it is a folder), but entering it is refused below
    expect(top.entries.map((e) => e.name)).toEqual(['data', 'data-link', 'out']);
    const all = browse({ kind: 'file', showHidden: true }, roots);
    expect(all.entries.map((e) => `${e.kind}:${e.name}`)).toEqual([
      'folder:.secret',
      'folder:data',
      'folder:data-link',
      'folder:out',
      'file:.profile',
    ]);
  });

  it('shows files with their sizes only when a file is wanted, and never a FIFO', () => {
    const { home, roots } = fakeHome();
    const data = path.join(home, 'data');
    expect(browse({ path: data, kind: 'folder', showHidden: false }, roots).entries).toEqual([
      { name: 'digits', kind: 'folder', size: null },
    ]);
    const files = browse({ path: data, kind: 'file', showHidden: false }, roots);
    expect(files.entries).toEqual([
      { name: 'digits', kind: 'folder', size: null },
      { name: 'notes.csv', kind: 'file', size: 5 },
    ]);
    expect(files.parent).toBe(home);
    // a link inside the roots resolves to its target
    expect(browse({ path: path.join(home, 'data-link'), kind: 'folder', showHidden: false }, roots).path).toBe(data);
  });

  it('refuses what lies outside the roots (also through a link), a file, and a path that is gone', () => {
    const { home, outside, roots } = fakeHome();
    const refused = (p: string) => {
      try {
        browse({ path: p, kind: 'folder', showHidden: false }, roots);
      } catch (e) {
        return e as { code: string; message: string };
      }
      throw new Error(`${p} was listed`);
    };
    expect(refused(outside)).toMatchObject({ code: 'bad_input' });
    expect(refused(outside).message).toBe(
      `${outside} is outside your home folder and mounted volumes, which is all this browser shows. Type the path instead.`,
    );
    expect(refused(path.join(home, 'out')).code).toBe('bad_input');
    expect(refused(path.join(home, '..')).code).toBe('bad_input');
    expect(refused(path.join(home, 'data', 'notes.csv')).message).toMatch(/is a file, not a folder/);
    expect(refused(path.join(home, 'gone'))).toMatchObject({ code: 'not_found' });
  });

  it('takes the home folder and the volumes under /media/<user>/ as roots', () => {
    const { home } = fakeHome();
    const roots = browseRoots(home, 'linux');
    expect(roots[0]).toEqual({ label: 'Home', path: home });
    expect(browseRoots(path.join(home, 'missing'), 'linux').some((r) => r.label === 'Home')).toBe(false);
  });

  it('is an API method whose input is checked', async () => {
    const h = await openTestHost();
    const e = await rejection(h.api.dispatch('files.browse', { kind: 'everything' }));
    expect(e.code).toBe('bad_input');
  });
});
