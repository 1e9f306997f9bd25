/** The meaning checks' lines at the end of `winnow search / evaluate / compress` (pure formatting). */
import type { MeaningNote } from '../../shared/meaning.js';

/** One line per note: `Warning:` or `Note:`, what it means, then what to do. */
export const meaningLines = (notes: readonly MeaningNote[]): string[] =>
  notes.map((n) => `${n.level === 'warn' ? 'Warning' : 'Note'}: ${n.message} ${n.advice}`);
