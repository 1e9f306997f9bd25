/** `winnow system info`: version, data folder, database, machine and the backend ladder. */
import type { SystemInfo } from '../../../shared/api.js';
import { parse, withHost } from '../args.js';
import { EXIT_OK, UsageError, printJson, say, table } from '../output.js';

export async function systemCommand(args: string[]): Promise<number> {
  if (args[0] !== 'info') throw new UsageError('Usage: winnow system info [--json]');
  return systemInfo(args.slice(1));
}

async function systemInfo(args: string[]): Promise<number> {
  const { values } = parse(args, { refresh: { type: 'boolean', default: false } });
  const info = (await withHost(values, (host) =>
    host.api.dispatch('system.info', { refresh: true, ...(values.backend ? { backend: values.backend } : {}) }),
  )) as SystemInfo;
  if (values.json) {
    printJson(info);
    return EXIT_OK;
  }
  say(`${info.app.name} ${info.app.version}  (Node ${info.nodeVersion}, ${info.platform}/${info.arch})`);
  say(`Data folder: ${info.dataDir}`);
  say(`Database:    ${info.dbPath}`);
  say(`CPU:         ${info.cpu.model} x ${info.cpu.cores}`);
  say(
    `Memory:      ${(info.memory.totalBytes / 2 ** 30).toFixed(1)} GiB (${(info.memory.freeBytes / 2 ** 30).toFixed(1)} GiB free)`,
  );
  say(`Backend:     ${info.backend.selected} (asked for ${info.backend.preference})`);
  say('');
  say(
    table(
      info.backend.attempts.map((a) => ({
        backend: a.name,
        package: a.packageName,
        loaded: a.ok ? 'yes' : 'no',
        why: a.reason ?? '',
      })),
      ['backend', 'package', 'loaded', 'why'],
    ),
  );
  return EXIT_OK;
}
