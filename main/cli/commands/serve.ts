/** `winnow serve`: the UI and the API over HTTP on 127.0.0.1, token-protected, until Ctrl-C. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BackendChoice } from '../../../shared/backend.js';
import { ApiError } from '../../api/errors.js';
import { resolveDataDir } from '../../store/paths.js';
import { isLoopbackHost, startWebServer } from '../../web/server.js';
import { intOption, openCliHost, parse } from '../args.js';
import { EXIT_OK, printJson, say } from '../output.js';

function openInBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'cmd' : 'xdg-open';
  const args = process.platform === 'win32' ? ['/c', 'start', '', url] : [url];
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('error', () => say(`Could not open a browser; open ${url} yourself.`));
    child.unref();
  } catch {
    say(`Could not open a browser; open ${url} yourself.`);
  }
}

export async function serveCommand(args: string[]): Promise<number> {
  const { values } = parse(args, {
    port: { type: 'string' },
    host: { type: 'string' },
    open: { type: 'boolean', default: false },
  });
  const port = intOption(values.port, 'port', 0, 65535) ?? 4780;
  const bindHost = values.host ?? '127.0.0.1';
  if (!isLoopbackHost(bindHost)) {
    say(`Warning: serving on ${bindHost}, reachable from other machines. Anyone with the URL's token can use Winnow.`);
  }
  const dataDir = resolveDataDir(values['data-dir']);
  const host = await openCliHost(dataDir, 'http');
  if (values.backend) host.store.settings.update({ backend: BackendChoice.parse(values.backend) });
  const staticDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'renderer');
  let server;
  try {
    server = await startWebServer({ api: host.api, staticDir, host: bindHost, port });
  } catch (e) {
    await host.close();
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new ApiError(
        'conflict',
        `Port ${port} is in use: pick another with --port N (or --port 0 for any free port).`,
      );
    throw e;
  }
  if (values.json) printJson({ url: server.urlWithToken, port: server.port, dataDir });
  else {
    say(`Winnow is serving ${dataDir}`);
    say(`Open: ${server.urlWithToken}`);
    say('Press Ctrl-C to stop.');
  }
  if (values.open) openInBrowser(server.urlWithToken);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  await host.close();
  return EXIT_OK;
}
