import { describe, expect, it } from 'vitest';
import { overallFraction, phaseEta, phasePosition, phaseTitle } from '../../shared/progress.js';
import { progressLabel } from '../../main/cli/output.js';

const plan = [
  { name: 'preparing', weight: 2 },
  { name: 'searching', weight: 7 },
  { name: 'testing', weight: 1 },
];

describe('job phases', () => {
  it('maps each phase into its slot of the job, in order, so the figure only rises from phase to phase', () => {
    expect(overallFraction(plan, 'preparing', 0)).toBe(0);
    expect(overallFraction(plan, 'preparing', 0.5)).toBeCloseTo(0.1);
    expect(overallFraction(plan, 'searching', 0)).toBeCloseTo(0.2);
    expect(overallFraction(plan, 'searching', 1)).toBeCloseTo(0.9);
    expect(overallFraction(plan, 'testing', 1)).toBe(1);
    let last = -1;
    for (const p of plan)
      for (let f = 0; f <= 1; f += 0.125) {
        const x = overallFraction(plan, p.name, f);
        expect(x).toBeGreaterThanOrEqual(last);
        last = x;
      }
  });

  it('clamps a phase fraction outside 0..1 and puts an unplanned phase in the last slot', () => {
    expect(overallFraction(plan, 'searching', 2)).toBeCloseTo(0.9);
    expect(overallFraction(plan, 'searching', -1)).toBeCloseTo(0.2);
    expect(overallFraction(plan, 'unknown', 0)).toBeCloseTo(0.9);
    expect(overallFraction([], 'x', 0.4)).toBe(0.4);
    expect(phasePosition(plan, 'testing', 0.5)).toEqual({
      phase: 'testing',
      phaseIndex: 2,
      phaseCount: 3,
      phaseFraction: 0.5,
    });
  });

  it('says the time left from the phase’s own rate once it means something', () => {
    const from = { t: 0, done: 0 };
    expect(phaseEta(from, { t: 1000, done: 50 }, 100)).toBeUndefined(); // 1 s in
    expect(phaseEta(from, { t: 10_000, done: 4 }, 100)).toBeUndefined(); // 4% done
    expect(phaseEta(from, { t: 10_000, done: 50 }, 100)).toBe(10);
    expect(phaseEta(from, { t: 10, done: 100 }, 100)).toBe(0);
    // the rate counts from the phase's first report, not from the job's start
    expect(phaseEta({ t: 60_000, done: 20 }, { t: 64_000, done: 40 }, 100)).toBe(12);
  });

  it('names the phase as the UI says it', () => {
    expect(phaseTitle({ phase: 'embedding', phaseIndex: 1, phaseCount: 2 })).toBe('Embedding (part 2 of 2)');
    expect(phaseTitle({ phase: 'training', phaseIndex: 0, phaseCount: 1 })).toBe('Training');
    expect(phaseTitle(null)).toBe('');
  });

  it('puts the phase before the message in the CLI progress bar', () => {
    expect(progressLabel({ phase: 'testing', phaseIndex: 2, phaseCount: 3, message: 'Testing the supernet' })).toBe(
      'Testing (part 3 of 3): Testing the supernet',
    );
    expect(progressLabel({ message: 'step 3/30' })).toBe('step 3/30');
    expect(progressLabel({ phase: 'scoring', phaseIndex: 0, phaseCount: 1 })).toBe('Scoring');
  });
});
