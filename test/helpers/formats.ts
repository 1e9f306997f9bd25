/** What the format-reader tests share: the message of a SourceError and the raw payload of a read. */
import { SourceError, type Payload } from '../../main/data/types.js';
import { rejectsWith } from './errors.js';

/** The message of the SourceError `p` rejects with (fails the test on anything else). */
export async function sourceError(p: Promise<unknown>): Promise<string> {
  return (await rejectsWith(p, SourceError)).message;
}

/** The payload as raw pixels (fails when the reader left the images encoded). */
export function raw(p: Payload): Extract<Payload, { kind: 'raw' }> {
  if (p.kind !== 'raw') throw new Error('expected a raw payload');
  return p;
}
