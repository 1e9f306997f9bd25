import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveDataDir } from '../../main/store/paths.js';

describe('resolveDataDir', () => {
  it('prefers the explicit path, then WINNOW_DATA_DIR, then XDG_DATA_HOME, then ~/.local/share', () => {
    expect(resolveDataDir('/a/b', { WINNOW_DATA_DIR: '/c', XDG_DATA_HOME: '/x' })).toBe('/a/b');
    expect(resolveDataDir(undefined, { WINNOW_DATA_DIR: '/c', XDG_DATA_HOME: '/x' })).toBe('/c');
    expect(resolveDataDir(undefined, { XDG_DATA_HOME: '/x' })).toBe('/x/winnow');
    expect(resolveDataDir(undefined, {})).toBe(path.join(os.homedir(), '.local', 'share', 'winnow'));
    expect(resolveDataDir('  ', { WINNOW_DATA_DIR: '' })).toBe(path.join(os.homedir(), '.local', 'share', 'winnow'));
  });

  it('makes relative paths absolute', () => {
    expect(resolveDataDir('rel/dir', {})).toBe(path.resolve('rel/dir'));
  });
});
