/** The search job's translation of a wasm heap exhaustion into a message that says what to change. */
import { describe, expect, it } from 'vitest';
import { SearchParams } from '../../shared/search.js';
import { JobUserError } from '../../main/engine/jobs/context.js';
import { stepOrExplain } from '../../main/engine/backend/out-of-memory.js';

const parsed = SearchParams.parse({ datasetId: 1, batch: 64, channels: 32 });
const params = { job: 'search', batch: parsed.batch, channels: parsed.channels };

describe('stepOrExplain', () => {
  it('turns a wasm out-of-bounds or abort into a user error naming the batch and channels', () => {
    for (const err of [
      new WebAssembly.RuntimeError('memory access out of bounds'),
      new Error('Aborted(). Build with -sASSERTIONS for more info.'),
    ]) {
      let caught: unknown;
      try {
        stepOrExplain(
          () => {
            throw err;
          },
          params,
          'wasm',
        );
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(JobUserError);
      expect((caught as Error).message).toMatch(
        /The search ran out of memory.*batch of 64 with 32 channels.*Lower the batch size or the channels/,
      );
    }
  });

  it('passes other errors, and errors on other backends, through unchanged; returns the step result', () => {
    const other = new Error('shapes do not match');
    expect(() =>
      stepOrExplain(
        () => {
          throw other;
        },
        params,
        'wasm',
      ),
    ).toThrow(other);
    const oob = new WebAssembly.RuntimeError('memory access out of bounds');
    expect(() =>
      stepOrExplain(
        () => {
          throw oob;
        },
        params,
        'cpu',
      ),
    ).toThrow(oob);
    expect(stepOrExplain(() => 42, params, 'wasm')).toBe(42);
  });
});
