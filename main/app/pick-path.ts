/**
 * The native folder/file picker behind `WinnowClient.pickPath` (desktop app only), as plain data: the IPC
 * channel, the check of what the page asks for, and the options main.ts hands to `dialog.showOpenDialog`.
 * No 'electron' import, so test/unit/electron-security.test.ts can import and check it.
 */
import { z } from 'zod';
import type { PickPathKind } from '../../shared/api.js';

/** Invoked by the preload's `pickPath(kind)`; main.ts answers with the chosen path or null. */
export const PICK_PATH_CHANNEL = 'winnow:pick-path';

export const PickPathKindSchema = z.enum(['folder', 'file']) satisfies z.ZodType<PickPathKind>;

/** The subset of Electron's OpenDialogOptions used here (structural, so no electron import is needed). */
export interface PickPathDialogOptions {
  title: string;
  buttonLabel: string;
  properties: Array<'openDirectory' | 'openFile' | 'dontAddToRecent'>;
  filters?: Array<{ name: string; extensions: string[] }>;
}

/**
 * What the picker shows. Files: the single-file formats an import reads (CSV manifest, CIFAR .bin, IDX files,
 * often gzipped); unpacked IDX files have no extension (`train-images-idx3-ubyte`), so "All files" is there too.
 * A single image is not offered: an image import takes the folder that holds one subfolder per class.
 */
export function pickPathDialogOptions(kind: PickPathKind): PickPathDialogOptions {
  if (kind === 'folder') {
    return {
      title: 'Choose a dataset folder',
      buttonLabel: 'Choose folder',
      properties: ['openDirectory', 'dontAddToRecent'],
    };
  }
  return {
    title: 'Choose a dataset file',
    buttonLabel: 'Choose file',
    properties: ['openFile', 'dontAddToRecent'],
    filters: [
      { name: 'Dataset files (CSV, CIFAR, IDX)', extensions: ['csv', 'bin', 'gz', 'idx1-ubyte', 'idx3-ubyte'] },
      { name: 'CSV manifest', extensions: ['csv'] },
      { name: 'CIFAR-10/100 binary', extensions: ['bin'] },
      { name: 'IDX (MNIST-style)', extensions: ['idx1-ubyte', 'idx3-ubyte', 'gz'] },
      { name: 'All files', extensions: ['*'] },
    ],
  };
}
