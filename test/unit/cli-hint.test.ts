import { describe, expect, it } from 'vitest';
import { cliHint, forApp, forCli } from '../../shared/cli-hint.js';
import { describeFailure } from '../../main/cli/output.js';
import { ApiError } from '../../main/api/errors.js';
import { ApiCallError, errorMessage } from '../../renderer/src/lib/client.js';

const DDS = `DDS needs a trained autoencoder; there is none. Train one on the Autoencoder page ${cliHint(
  '(`winnow ae train --dataset 3`)',
)}, let the search train one first ${cliHint('(--train-ae N)')}, or use the dds-untrained strategy.`;
const MISSING = `There is no search 9. ${cliHint('List searches with `winnow search list`.')}`;

describe('command-line hints in API messages', () => {
  it('the command line shows them in place', () => {
    expect(forCli(DDS)).toBe(
      'DDS needs a trained autoencoder; there is none. Train one on the Autoencoder page (`winnow ae train --dataset 3`), ' +
        'let the search train one first (--train-ae N), or use the dds-untrained strategy.',
    );
    expect(forCli(MISSING)).toBe('There is no search 9. List searches with `winnow search list`.');
  });

  it('the app leaves them out, with the space before each', () => {
    expect(forApp(DDS)).toBe(
      'DDS needs a trained autoencoder; there is none. Train one on the Autoencoder page, let the search train one ' +
        'first, or use the dds-untrained strategy.',
    );
    expect(forApp(MISSING)).toBe('There is no search 9.');
    expect(forApp('No hint here.')).toBe('No hint here.');
  });

  it('the CLI prints failures with their hints; the renderer client shows them without', () => {
    expect(describeFailure(new ApiError('not_found', MISSING)).message).toBe(
      'There is no search 9. List searches with `winnow search list`.',
    );
    expect(new ApiCallError('searches.get', 'not_found', MISSING).message).toBe('There is no search 9.');
    expect(errorMessage(new Error(`Error invoking remote method 'api': ${MISSING}`))).toBe('There is no search 9.');
  });
});
