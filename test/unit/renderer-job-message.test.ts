import { describe, expect, it } from 'vitest';
import { jobMessage } from '../../renderer/src/lib/jobs.js';

describe('jobMessage', () => {
  it('shows the last message of a job that is not done', () => {
    expect(jobMessage({ state: 'failed', message: 'Out of memory' })).toBe('Out of memory');
    expect(jobMessage({ state: 'interrupted', message: 'The engine stopped' })).toBe('The engine stopped');
    expect(jobMessage({ state: 'running', message: 'warming up' })).toBe('warming up');
  });

  it('shows nothing once done, or without a message', () => {
    expect(jobMessage({ state: 'done', message: 'finished' })).toBeNull();
    expect(jobMessage({ state: 'failed', message: null })).toBeNull();
    expect(jobMessage({ state: 'cancelled', message: '' })).toBeNull();
  });
});
