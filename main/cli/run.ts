/** The `winnow` process: runs the command line, then exits with its code; an error ends as one line (or JSON). */
import { main } from './index.js';
import { describeFailure, printJson, say } from './output.js';

/** How the process ends for an error: one line on stderr (or one JSON document with --json), the right exit code. */
function fail(e: unknown, json: boolean): never {
  const f = describeFailure(e);
  if (json) printJson({ error: { code: f.code, message: f.message } });
  say(`winnow: ${f.message}`);
  if (process.env.WINNOW_DEBUG && e instanceof Error) say(e.stack ?? '');
  process.exit(f.exit);
}

const argv = process.argv.slice(2);
const json = argv.includes('--json');
// an error outside the command's own flow (an event handler, a timer) still ends as one line, never a stack trace
process.on('uncaughtException', (e) => fail(e, json));
main(argv).then(
  (code) => process.exit(code),
  (e: unknown) => fail(e, json),
);
