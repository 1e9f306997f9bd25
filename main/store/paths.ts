import os from 'node:os';
import path from 'node:path';

/**
 * Where Winnow keeps its database and files. Order: an explicit path (--data-dir), then
 * WINNOW_DATA_DIR, then $XDG_DATA_HOME/winnow, then ~/.local/share/winnow. The Electron app passes
 * its userData folder as the explicit path unless the user gave one.
 */
export function resolveDataDir(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit && explicit.trim() !== '') return path.resolve(explicit);
  if (env.WINNOW_DATA_DIR && env.WINNOW_DATA_DIR.trim() !== '') return path.resolve(env.WINNOW_DATA_DIR);
  const xdg = env.XDG_DATA_HOME && env.XDG_DATA_HOME.trim() !== '' ? env.XDG_DATA_HOME : path.join(os.homedir(), '.local', 'share');
  return path.resolve(xdg, 'winnow');
}

export const dbPathFor = (dataDir: string): string => path.join(dataDir, 'winnow.db');
export const jobDirFor = (dataDir: string, jobId: number): string => path.join(dataDir, 'jobs', String(jobId));
export const datasetDirFor = (dataDir: string, datasetId: number): string => path.join(dataDir, 'datasets', String(datasetId));
export const autoencoderDirFor = (dataDir: string, id: number): string => path.join(dataDir, 'autoencoders', String(id));
export const modelDirFor = (dataDir: string, id: number): string => path.join(dataDir, 'models', String(id));
