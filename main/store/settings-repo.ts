import { z } from 'zod';
import { BackendChoice } from '../../shared/backend.js';
import type { Settings } from '../../shared/api.js';
import type { Db } from './db.js';

const SettingsSchema = z.object({ backend: BackendChoice.catch('auto') });
const DEFAULTS: Settings = { backend: 'auto' };

/** User settings as one validated object; unknown or corrupt values fall back to defaults instead of breaking start-up. */
export class SettingsRepo {
  constructor(private readonly db: Db) {}

  get(): Settings {
    const rows = this.db.prepare('SELECT key, value FROM settings').all() as Array<{ key: string; value: string }>;
    const raw: Record<string, unknown> = { ...DEFAULTS };
    for (const r of rows) {
      try {
        raw[r.key] = JSON.parse(r.value);
      } catch {
        // a hand-edited or corrupt value: keep the default
      }
    }
    return SettingsSchema.parse(raw);
  }

  update(patch: Partial<Settings>): Settings {
    const upsert = this.db.prepare(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    );
    this.db.transaction(() => {
      for (const [k, v] of Object.entries(patch)) if (v !== undefined) upsert.run(k, JSON.stringify(v));
    })();
    return this.get();
  }
}
