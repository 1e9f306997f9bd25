/**
 * Opens everything one Winnow process needs to serve the API: the store in the data folder, the job
 * supervisor with its worker, the push channel, and the dispatcher. Transports (app, web) and the CLI call this.
 */
import { EventEmitter } from 'node:events';
import path from 'node:path';
import type { SystemInfo } from '../../shared/api.js';
import type { PushMessage } from '../../shared/jobs.js';
import type { WorkerLauncher } from '../engine/jobs/protocol.js';
import { loadJobKindPlugins } from '../jobs/registry.js';
import { openDataFolder } from '../store/data-folder.js';
import type { Store } from '../store/index.js';
import { JobSupervisor } from '../supervisor/supervisor.js';
import { createApi } from './registry.js';
import type { ApiDispatcher } from './types.js';

export interface HostOptions {
  dataDir: string;
  transport: SystemInfo['transport'];
  launcher: WorkerLauncher;
  electronVersion?: string | null;
  /** better-sqlite3 built for another runtime (Electron in development). */
  nativeBinding?: string;
}

export interface WinnowHost {
  api: ApiDispatcher;
  store: Store;
  supervisor: JobSupervisor;
  dataDir: string;
  close(): Promise<void>;
}

export async function openHost(options: HostOptions): Promise<WinnowHost> {
  await loadJobKindPlugins();
  const store = openDataFolder(options.dataDir, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  const bus = new EventEmitter();
  bus.setMaxListeners(100);
  const publish = (m: PushMessage) => bus.emit('push', m);
  const subscribe = (listener: (m: PushMessage) => void) => {
    bus.on('push', listener);
    return () => void bus.off('push', listener);
  };
  const supervisor = new JobSupervisor({
    store,
    dataDir: options.dataDir,
    launcher: options.launcher,
    publish,
  });
  const api = createApi({
    store,
    supervisor,
    dataDir: options.dataDir,
    transport: options.transport,
    electronVersion: options.electronVersion ?? null,
    subscribe,
  });
  return {
    api,
    store,
    supervisor,
    dataDir: options.dataDir,
    close: async () => {
      await supervisor.close();
      bus.removeAllListeners();
      store.close();
    },
  };
}

export const workerLogFile = (dataDir: string): string => path.join(dataDir, 'logs', 'engine.log');
