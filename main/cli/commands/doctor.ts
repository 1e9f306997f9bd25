import { runDoctor } from '../../store/doctor.js';
import { resolveDataDir } from '../../store/paths.js';
import { parse } from '../args.js';
import { EXIT_FAILURE, EXIT_OK, printJson, say } from '../output.js';

/** `winnow doctor [--repair]`: works on a folder that does not open (that is when it is needed), so no host. */
export function doctorCommand(args: string[]): number {
  const { values } = parse(args, { repair: { type: 'boolean', default: false } });
  const report = runDoctor(resolveDataDir(values['data-dir']), { repair: values.repair });
  if (values.json) {
    printJson(report);
    return report.healthy ? EXIT_OK : EXIT_FAILURE;
  }
  say(`Data folder: ${report.dataDir}`);
  say(`Database:    ${report.dbPath} (integrity: ${report.integrity})`);
  if (report.problems.length === 0) say('No problems found.');
  for (const p of report.problems) say(`- ${p.message}${p.repaired ? ` Repaired: ${p.repaired}.` : ''}`);
  if (report.leftovers.length)
    say(
      `${report.leftovers.length} folder(s) in leftovers/ (moved aside, never deleted): ${report.leftovers.slice(0, 5).join(', ')}${report.leftovers.length > 5 ? ', …' : ''}`,
    );
  if (!report.healthy && !values.repair && report.integrity === 'ok')
    say('Run `winnow doctor --repair` to clean what is safe to clean.');
  return report.healthy ? EXIT_OK : EXIT_FAILURE;
}
