/**
 * Step 2 of `winnow setup tensorflow` (see native-engine.ts): finding a TensorFlow wheel (--wheel,
 * $WINNOW_TF_WHEEL or pip), checking it is one the engine can use, and unpacking its two libraries and C headers
 * into the versioned cache, and finding a library unpacked there before.
 */
import fs from 'node:fs';
import path from 'node:path';
import { extractEntry, listZip, type ZipEntry } from '../zip/read.js';
import { SetupError, lastLine, type NativeVariant, type SetupOptions, type SetupSystem } from './native-engine.js';

const MB = 1024 * 1024;

/** tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl -> { name, version } */
export function parseWheelName(file: string): { name: string; version: string; major: number; minor: number } | null {
  const m = /^([A-Za-z0-9_]+)-(\d+)\.(\d+)\.(\d+)[^-]*-[^-]+-[^-]+-[^-]+\.whl$/.exec(path.basename(file));
  if (!m) return null;
  return { name: m[1]!.toLowerCase(), version: `${m[2]}.${m[3]}.${m[4]}`, major: Number(m[2]), minor: Number(m[3]) };
}

const LIBRARIES = ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2'];

/** The wheel members the addon needs: the two libraries and the C API headers (with what they include). */
export function neededMember(name: string): { kind: 'lib' | 'include'; rel: string } | null {
  const base = path.posix.basename(name);
  if (name === `tensorflow/${base}` && LIBRARIES.includes(base)) return { kind: 'lib', rel: base };
  const prefix = 'tensorflow/include/';
  if (!name.startsWith(prefix) || name.endsWith('/')) return null;
  const rel = name.slice(prefix.length);
  if (
    rel.startsWith('tensorflow/c/') ||
    /(^|\/)platform\/ctstring[^/]*\.h$/.test(rel) ||
    /(^|\/)tsl\/c\/[^/]+\.h$/.test(rel)
  )
    return { kind: 'include', rel };
  return null;
}

/** The pip requirement for each variant: the CPU-only wheel, or the GPU-capable Linux wheel. */
const PIP_REQUIREMENT: Record<NativeVariant, string> = { cpu: 'tensorflow-cpu>=2.10,<3', gpu: 'tensorflow>=2.10,<3' };

/** The wheel to unpack, or why none was found (every way tried). */
export async function findWheel(
  opts: SetupOptions,
  env: NodeJS.ProcessEnv,
  sys: SetupSystem,
  cacheRoot: string,
  variant: NativeVariant,
): Promise<{ file: string; source: string } | { failure: string }> {
  const given = opts.wheel ?? env['WINNOW_TF_WHEEL'];
  if (given) {
    if (!fs.existsSync(given))
      throw new SetupError(
        'no-wheel',
        `The wheel ${given} does not exist. Give the path of a TensorFlow wheel (.whl), or leave --wheel out to ask pip for one.`,
      );
    return { file: path.resolve(given), source: opts.wheel ? '--wheel' : 'WINNOW_TF_WHEEL' };
  }
  const downloads = path.join(cacheRoot, 'wheels');
  fs.mkdirSync(downloads, { recursive: true });
  const pythons = env['PYTHON'] ? [env['PYTHON']] : ['python3', 'python'];
  let sawPython = false;
  const tried: string[] = [];
  for (const python of pythons) {
    let r;
    try {
      r = await sys.run(
        python,
        ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '-d', downloads, PIP_REQUIREMENT[variant]],
        { env, timeoutMs: 900_000, logFile: path.join(cacheRoot, 'logs', 'pip-download.log') },
      );
    } catch {
      continue; // this python is not installed
    }
    sawPython = true;
    if (r.code === 0) {
      const saved =
        /Saved (.+\.whl)/.exec(r.stdout)?.[1] ?? /File was already downloaded (.+\.whl)/.exec(r.stdout)?.[1];
      const file = saved ? path.resolve(saved.trim()) : newestWheel(downloads);
      if (file && fs.existsSync(file)) return { file, source: 'pip' };
    }
    tried.push(`${python} -m pip: ${lastLine(r.stderr || r.stdout)}`);
    break;
  }
  if (!sawPython) tried.push('no python3 or python with pip was found');
  return { failure: tried.join('; ') };
}

function newestWheel(dir: string): string | null {
  const wheels = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.whl') && parseWheelName(f))
    .map((f) => path.join(dir, f))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  return wheels[0] ?? null;
}

export function checkWheel(file: string, variant: NativeVariant): { version: string } {
  const info = parseWheelName(file);
  if (!info || !/^tensorflow(_cpu|_gpu|_intel)?$/.test(info.name)) {
    throw new SetupError(
      'wrong-wheel',
      `${path.basename(file)} is not a TensorFlow wheel (expected a name like tensorflow_cpu-2.21.0-…-manylinux…_x86_64.whl).`,
    );
  }
  if (info.major !== 2 || info.minor < 10) {
    throw new SetupError(
      'wrong-wheel',
      `${path.basename(file)} is TensorFlow ${info.version}; the engine needs TensorFlow 2.10 or newer in the 2.x series (its C API). Use a tensorflow-cpu 2.x wheel.`,
    );
  }
  if (variant === 'gpu' && info.name === 'tensorflow_cpu') {
    throw new SetupError(
      'wrong-wheel',
      `${path.basename(file)} is the CPU-only wheel; the GPU engine needs the "tensorflow" wheel (Linux, CUDA 12). Use \`winnow setup tensorflow\` without --gpu for this one.`,
    );
  }
  return { version: info.version };
}

export async function unpackWheel(
  file: string,
  version: string,
  cacheRoot: string,
  variant: NativeVariant,
  sys: SetupSystem,
): Promise<string> {
  let entries: ZipEntry[];
  try {
    entries = listZip(file);
  } catch (e) {
    throw new SetupError('wrong-wheel', (e as Error).message + ' Download it again.');
  }
  const wanted = entries
    .map((e) => ({ e, m: neededMember(e.name) }))
    .filter((x): x is { e: ZipEntry; m: { kind: 'lib' | 'include'; rel: string } } => x.m !== null);
  const libs = wanted.filter((w) => w.m.kind === 'lib').map((w) => w.m.rel);
  const missing = LIBRARIES.filter((l) => !libs.includes(l));
  if (missing.length)
    throw new SetupError(
      'wrong-wheel',
      `${path.basename(file)} has no ${missing.join(' or ')}: it cannot provide the C library. Use a tensorflow-cpu 2.x wheel for Linux x86-64.`,
    );
  const need = wanted.reduce((s, w) => s + w.e.size, 0);
  const root = path.join(cacheRoot, 'libtensorflow', `${version}-${variant}`);
  fs.mkdirSync(path.dirname(root), { recursive: true });
  const free = sys.freeBytes(path.dirname(root));
  const margin = 50 * MB;
  if (free !== null && free < need + margin) {
    throw new SetupError(
      'no-disk',
      `The disk holding ${path.dirname(root)} has ${Math.floor(free / MB)} MB free; the TensorFlow library needs about ${Math.ceil((need + margin) / MB)} MB. Free some space (or set WINNOW_CACHE_DIR to a folder on another disk) and run this again.`,
    );
  }
  // unpack beside, then rename: a cut unpacking never looks complete
  const partial = `${root}.partial-${process.pid}`;
  fs.rmSync(partial, { recursive: true, force: true });
  try {
    for (const { e, m } of wanted) {
      const dest = path.join(partial, m.kind, ...m.rel.split('/'));
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      await extractEntry(file, e, dest);
    }
    fs.rmSync(root, { recursive: true, force: true });
    fs.renameSync(partial, root);
  } catch (e) {
    fs.rmSync(partial, { recursive: true, force: true });
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOSPC')
      throw new SetupError(
        'no-disk',
        `The disk holding ${cacheRoot} filled up while unpacking; the library needs about ${Math.ceil((need + margin) / MB)} MB. Free some space and run this again.`,
      );
    throw e;
  }
  return root;
}

export function librariesPresent(libDir: string): boolean {
  return LIBRARIES.every((l) => fs.existsSync(path.join(libDir, l)));
}

/** The newest library unpacked before for this variant, if complete. */
export function findUnpacked(cacheRoot: string, variant: NativeVariant): { root: string; version: string } | null {
  const dir = path.join(cacheRoot, 'libtensorflow');
  if (!fs.existsSync(dir)) return null;
  const found = fs
    .readdirSync(dir)
    .map((name) => /^(\d+)\.(\d+)\.(\d+)-(cpu|gpu)$/.exec(name))
    .filter(
      (m): m is RegExpExecArray => m !== null && m[4] === variant && librariesPresent(path.join(dir, m[0], 'lib')),
    )
    .sort((a, b) => Number(b[1]) - Number(a[1]) || Number(b[2]) - Number(a[2]) || Number(b[3]) - Number(a[3]));
  return found[0]
    ? { root: path.join(dir, found[0][0]), version: `${found[0][1]}.${found[0][2]}.${found[0][3]}` }
    : null;
}
