/**
 * Which CUDA and cuDNN libraries the GPU engine needs, following the libtensorflow it links: the 2.9.1 library
 * tfjs-node-gpu downloads itself is built against CUDA 11.2 / cuDNN 8.1; TensorFlow wheels from 2.15 on against
 * CUDA 12 and, from 2.16, cuDNN 9 (TensorFlow's tested build configurations).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface CudaNeeds {
  /** For people: "CUDA 12 and cuDNN 9". */
  label: string;
  libraries: string[];
  /** What to do when some are missing. */
  howTo: string;
}

export function cudaLibrariesFor(tfVersion: string): CudaNeeds {
  const [major, minor] = tfVersion.split('.').map(Number) as [number, number];
  if (major === 2 && minor < 15) {
    return {
      label: 'CUDA 11.2 and cuDNN 8',
      libraries: ['libcudart.so.11.0', 'libcublas.so.11', 'libcublasLt.so.11', 'libcudnn.so.8'],
      howTo:
        'Install the CUDA 11.2 toolkit and cuDNN 8 (NVIDIA’s packages), and put their lib folders on LD_LIBRARY_PATH.',
    };
  }
  const cudnn = major === 2 && minor < 16 ? 8 : 9;
  return {
    label: `CUDA 12 and cuDNN ${cudnn}`,
    libraries: [
      'libcudart.so.12',
      'libcublas.so.12',
      'libcublasLt.so.12',
      'libcufft.so.11',
      'libcusparse.so.12',
      'libcusolver.so.11',
      `libcudnn.so.${cudnn}`,
    ],
    howTo:
      `Install them with pip (\`pip install nvidia-cuda-runtime-cu12 nvidia-cublas-cu12 nvidia-cufft-cu12 nvidia-cusparse-cu12 nvidia-cusolver-cu12 nvidia-cudnn-cu12\`) ` +
      'and add each package’s lib folder (site-packages/nvidia/*/lib) to LD_LIBRARY_PATH, or install NVIDIA’s CUDA 12 and cuDNN packages.',
  };
}

/** Which shared libraries neither LD_LIBRARY_PATH nor the loader's cache (`ldconfig -p`) holds; null off Linux. */
export function missingSharedLibraries(
  names: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  ldconfigOutput?: string,
): string[] | null {
  if (process.platform !== 'linux') return null;
  const dirs = (env['LD_LIBRARY_PATH'] ?? '').split(':').filter(Boolean);
  let cache = ldconfigOutput ?? '';
  if (ldconfigOutput === undefined) {
    for (const ldconfig of ['ldconfig', '/sbin/ldconfig']) {
      try {
        cache = execFileSync(ldconfig, ['-p'], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
          timeout: 3000,
        });
        break;
      } catch {
        // try the next one; without ldconfig rely on LD_LIBRARY_PATH alone
      }
    }
  }
  return names.filter((lib) => !cache.includes(lib) && !dirs.some((d) => fs.existsSync(path.join(d, lib))));
}
