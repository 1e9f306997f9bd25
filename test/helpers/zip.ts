/** Writes small zip files (stored or deflated members) for the wheel- and model-reading tests. */
import fs from 'node:fs';
import { zipMembers } from '../../main/zip/write.js';

export function writeZip(file: string, members: Array<{ name: string; data: Buffer; deflate?: boolean }>): void {
  fs.writeFileSync(file, zipMembers(members.map((m) => ({ name: m.name, data: m.data, store: !m.deflate }))));
}
