/** What `winnow <kind> ... --estimate` prints: the job's cost before it starts (shared/cost.ts's estimate). */
import { QUICK_LOOK_SECONDS, WARN_SECONDS, formatBytes, formatDuration, type CostEstimate } from '../../shared/cost.js';

/** The kind's own advice when it has none (the form's warning says the same). */
const GENERIC_SHORTER = 'Fewer epochs or fewer images make it shorter.';

export function estimateLines(e: CostEstimate): string[] {
  const time =
    e.seconds === null
      ? `Time: not known yet. ${e.basis.note ?? ''}`.trim()
      : `Time: about ${formatDuration(e.seconds)}`;
  const basis =
    e.basis.secondsPerImage === null
      ? null
      : `  (${(e.basis.secondsPerImage * 1000).toFixed(1)} ms per training image on ${e.basis.backend}` +
        `${e.basis.calibrated !== null ? ', timed on this machine' : ''}` +
        `${e.basis.runs > 0 ? `, refined by ${e.basis.runs} finished run${e.basis.runs === 1 ? '' : 's'}` : ''})`;
  const lines = [
    time,
    ...(basis ? [basis] : []),
    `Images processed: ${e.images.toLocaleString('en')} (${e.parts.join('; ')})`,
    `Disk: ${e.diskBytes === null ? 'not known yet' : `about ${formatBytes(e.diskBytes)}`}`,
  ];
  if (e.seconds !== null && e.seconds > WARN_SECONDS) {
    const q = e.quickLook;
    lines.push(
      q
        ? `This will take over 30 minutes. A quick look in about ${formatDuration(q.seconds)}: ${q.changes.join(', ')}.` +
            (q.seconds > 1.5 * QUICK_LOOK_SECONDS ? ` Even that is long here. ${e.shorter ?? GENERIC_SHORTER}` : '')
        : `This will take over 30 minutes. ${e.shorter ?? GENERIC_SHORTER}`,
    );
  }
  return lines;
}
