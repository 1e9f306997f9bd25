/**
 * `winnow setup tensorflow [--gpu]`: makes the native TensorFlow rungs of the backend ladder load, offline where it
 * can. @tensorflow/tfjs-node(-gpu)'s own install step downloads libtensorflow 2.9.1; where that fails (offline,
 * a registry mirror only) npm drops the package. This builds the same N-API addon from source against the
 * TensorFlow C library inside a TensorFlow wheel instead:
 *
 *   1. the package:   reinstalled with its install script skipped when npm dropped it;
 *   2. the library:   a wheel from --wheel, $WINNOW_TF_WHEEL or pip (`pip download --no-deps`, whatever index pip
 *                     is configured with); its two libraries and C headers are unpacked into a versioned cache
 *                     outside node_modules (so `npm ci` does not wipe them), e.g. ~/.cache/winnow/libtensorflow/
 *                     2.21.0-cpu/. With no wheel to be had, the package's own download is the last resort;
 *   3. the links:     deps/lib and deps/include of the package point into the cache (libtensorflow.so.2 and the
 *                     2.9.1 name the package expects are links to the wheel's libtensorflow_cc.so.2, which exports
 *                     the TF_* / TFE_* C API);
 *   4. the addon:     node-pre-gyp builds it from source (~25 s); the result is kept in the cache, so setting up
 *                     again after `npm ci` only copies it;
 *   5. the check:     a fresh Node process loads the package and reports the backend and TensorFlow version.
 *
 * Idempotent: when the links, the addon and the stamp already match, only the check runs (seconds).
 * Every failure is a SetupError whose message says what happened and what to do.
 */
import type { SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { checkWheel, findUnpacked, findWheel, librariesPresent, unpackWheel } from './native-wheel.js';
import { cudaLibrariesFor } from '../engine/backend/cuda.js';
import { defaultSystem } from './native-system.js';

export type NativeVariant = 'cpu' | 'gpu';

export const NATIVE_PACKAGES: Record<NativeVariant, string> = {
  cpu: '@tensorflow/tfjs-node',
  gpu: '@tensorflow/tfjs-node-gpu',
};

/** The file the setup leaves in the package's deps/ folder: which library it linked (the ladder reads it). */
export const SETUP_STAMP = 'winnow-setup.json';

export type SetupErrorCode =
  | 'no-npm'
  | 'no-python'
  | 'no-wheel'
  | 'wrong-wheel'
  | 'no-disk'
  | 'build-failed'
  | 'missing-cuda'
  | 'verify-failed'
  | 'package-missing';

export class SetupError extends Error {
  constructor(
    readonly code: SetupErrorCode,
    message: string,
    readonly logPath?: string,
  ) {
    super(message);
    this.name = 'SetupError';
  }
}

export type SetupStepName = 'package' | 'wheel' | 'extract' | 'link' | 'addon' | 'verify';

export interface SetupProgress {
  step: SetupStepName;
  message: string;
}

export interface SetupStamp {
  variant: NativeVariant;
  packageVersion: string;
  tfVersion: string;
  libDir: string;
  source: string;
  napiVersion: number;
  setupAt: string;
}

export interface SetupResult {
  backend: 'tensorflow' | 'tensorflow-gpu';
  packageName: string;
  packageVersion: string;
  tfVersion: string;
  cacheDir: string;
  /** Where the wheel came from ('cache' when the unpacked library was already there). */
  source: string;
  /** True when nothing needed doing but the check. */
  alreadySetUp: boolean;
  steps: Array<{ step: SetupStepName; ms: number; note: string }>;
  ms: number;
}

/** How the setup runs programs and looks at the machine: replaced by fakes in tests. */
export interface SetupSystem {
  run(
    cmd: string,
    args: string[],
    opts: SpawnOptions & { logFile?: string; timeoutMs?: number },
  ): Promise<{ code: number; stdout: string; stderr: string }>;
  freeBytes(dir: string): number | null;
  /** Which of these shared libraries the dynamic loader cannot find. */
  missingLibraries(names: readonly string[]): string[] | null;
}

export interface SetupOptions {
  variant: NativeVariant;
  /** The folder holding Winnow's package.json and node_modules. */
  appRoot: string;
  wheel?: string;
  cacheRoot?: string;
  env?: NodeJS.ProcessEnv;
  onProgress?: (p: SetupProgress) => void;
  system?: SetupSystem;
  /** Rebuild the addon and relink even when the stamp matches. */
  force?: boolean;
}

/** The cache for unpacked libraries and built addons: $WINNOW_CACHE_DIR, else the user's cache folder. */
export function defaultCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env['WINNOW_CACHE_DIR']) return path.resolve(env['WINNOW_CACHE_DIR']);
  if (process.platform === 'win32')
    return path.join(env['LOCALAPPDATA'] ?? path.join(os.homedir(), 'AppData', 'Local'), 'winnow', 'cache');
  if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Caches', 'winnow');
  return path.join(env['XDG_CACHE_HOME'] ?? path.join(os.homedir(), '.cache'), 'winnow');
}

function packageDir(appRoot: string, pkg: string): string | null {
  try {
    const manifest = createRequire(path.join(appRoot, 'package.json')).resolve(`${pkg}/package.json`);
    // (Node caches resolutions: a package removed since, e.g. by `npm ci`, still resolves)
    return fs.existsSync(manifest) ? path.dirname(manifest) : null;
  } catch {
    return null;
  }
}

/** The version of `pkg` Winnow's lock file pins (else its package.json range without the ^ / ~). */
function wantedVersion(appRoot: string, pkg: string): string {
  try {
    const lock = JSON.parse(fs.readFileSync(path.join(appRoot, 'package-lock.json'), 'utf8')) as {
      packages?: Record<string, { version?: string }>;
    };
    const v = lock.packages?.[`node_modules/${pkg}`]?.version;
    if (v) return v;
  } catch {
    // no lock file: fall back to package.json
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(appRoot, 'package.json'), 'utf8')) as {
    optionalDependencies?: Record<string, string>;
  };
  return (manifest.optionalDependencies?.[pkg] ?? 'latest').replace(/^[\^~]/, '');
}

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

/** The N-API version node-pre-gyp builds for: the highest the package lists that this Node supports. */
function napiVersionOf(pkgDir: string): number {
  const node = Number(process.versions.napi);
  const listed =
    readJson<{ binary?: { napi_versions?: number[] } }>(path.join(pkgDir, 'package.json'))?.binary?.napi_versions ?? [];
  const usable = listed.filter((v) => v <= node);
  return usable.length ? Math.max(...usable) : node;
}

/** The prefix whose include/node holds Node's headers (node-gyp would otherwise download them). */
function nodeDir(env: NodeJS.ProcessEnv): string | undefined {
  if (env['npm_config_nodedir']) return env['npm_config_nodedir'];
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  return fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined;
}

class Steps {
  readonly done: SetupResult['steps'] = [];
  private t = performance.now();
  constructor(private readonly onProgress?: (p: SetupProgress) => void) {}
  start(step: SetupStepName, message: string): void {
    this.t = performance.now();
    this.onProgress?.({ step, message });
  }
  end(step: SetupStepName, note: string): void {
    this.done.push({ step, ms: Math.round(performance.now() - this.t), note });
  }
}

export async function setupNativeEngine(opts: SetupOptions): Promise<SetupResult> {
  const t0 = performance.now();
  const env = opts.env ?? process.env;
  const sys = opts.system ?? defaultSystem();
  const variant = opts.variant;
  const pkg = NATIVE_PACKAGES[variant];
  const cacheRoot = opts.cacheRoot ?? defaultCacheRoot(env);
  const steps = new Steps(opts.onProgress);
  fs.mkdirSync(path.join(cacheRoot, 'logs'), { recursive: true });

  if (variant === 'gpu' && process.platform !== 'linux') {
    throw new SetupError(
      'missing-cuda',
      'The GPU engine is built for Linux with an NVIDIA GPU only; use `winnow setup tensorflow` (CPU) on this system.',
    );
  }

  // 1. the package
  steps.start('package', `Looking for ${pkg}`);
  let pkgDir = packageDir(opts.appRoot, pkg);
  const version = wantedVersion(opts.appRoot, pkg);
  if (!pkgDir) {
    steps.start('package', `Installing ${pkg}@${version} (its install script skipped)`);
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    let r;
    try {
      r = await sys.run(
        npm,
        ['install', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', `${pkg}@${version}`],
        { cwd: opts.appRoot, env, timeoutMs: 600_000 },
      );
    } catch {
      throw new SetupError(
        'no-npm',
        `npm was not found, so ${pkg} cannot be installed. Install Node.js with npm, or run \`npm install --ignore-scripts ${pkg}@${version}\` yourself, then run this again.`,
      );
    }
    pkgDir = packageDir(opts.appRoot, pkg);
    if (r.code !== 0 || !pkgDir) {
      throw new SetupError(
        'package-missing',
        `npm could not install ${pkg}@${version}: ${lastLine(r.stderr)} Check that the npm registry can be reached, then run this again.`,
      );
    }
  }
  const pkgVersion = readJson<{ version: string }>(path.join(pkgDir, 'package.json'))?.version ?? version;
  steps.end('package', `${pkg}@${pkgVersion}`);

  // 2. the library: already unpacked, a wheel, or the package's own download
  const stampFile = path.join(pkgDir, 'deps', SETUP_STAMP);
  const stamp = readJson<SetupStamp>(stampFile);
  const napi = napiVersionOf(pkgDir);
  const addonPath = path.join(pkgDir, 'lib', `napi-v${napi}`, 'tfjs_binding.node');
  // (the package's own download puts real files in deps/lib: nothing is linked then)
  const linked =
    stamp?.source === 'download' ||
    (stamp !== null && librariesPresent(stamp.libDir) && linksPointTo(pkgDir, stamp.libDir));
  if (
    !opts.force &&
    stamp &&
    stamp.variant === variant &&
    stamp.packageVersion === pkgVersion &&
    fs.existsSync(addonPath) &&
    linked
  ) {
    const verified = await verify(sys, opts.appRoot, pkg, variant, env, cacheRoot, steps, stamp.tfVersion);
    return result(variant, pkg, pkgVersion, verified, path.dirname(stamp.libDir), 'cache', true, steps, t0);
  }

  steps.start('wheel', 'Looking for a TensorFlow wheel');
  const unpacked = findUnpacked(cacheRoot, variant);
  let libRoot: string;
  let tfVersion: string;
  let source: string;
  if (unpacked && !opts.wheel && !env['WINNOW_TF_WHEEL']) {
    ({ root: libRoot, version: tfVersion } = unpacked);
    source = 'cache';
    steps.end('wheel', `using the library unpacked before (${tfVersion})`);
  } else {
    const wheel = await findWheel(opts, env, sys, cacheRoot, variant);
    if ('failure' in wheel) {
      // last resort: the package's own download of libtensorflow 2.9.1 (needs internet)
      steps.end('wheel', 'no wheel: trying the package’s own download');
      return await packageDownload(
        sys,
        opts.appRoot,
        pkg,
        pkgDir,
        pkgVersion,
        variant,
        env,
        cacheRoot,
        steps,
        t0,
        wheel.failure,
      );
    }
    const info = checkWheel(wheel.file, variant);
    steps.end('wheel', `${path.basename(wheel.file)} (${wheel.source})`);
    steps.start('extract', `Unpacking the TensorFlow ${info.version} library`);
    libRoot = await unpackWheel(wheel.file, info.version, cacheRoot, variant, sys);
    tfVersion = info.version;
    source = wheel.source;
    steps.end('extract', libRoot);
  }

  if (variant === 'gpu') checkCuda(sys, tfVersion);

  // 3. the links
  steps.start('link', 'Linking the library into the package');
  linkLibrary(pkgDir, libRoot);
  steps.end('link', path.join(pkgDir, 'deps'));

  // 4. the addon: from the cache, or built
  steps.start('addon', 'Building the TensorFlow addon (about 30 s)');
  const cachedAddon = path.join(
    cacheRoot,
    'addons',
    `${variant}-${pkgVersion}-tf${tfVersion}-napi${napi}-${process.platform}-${process.arch}`,
    'tfjs_binding.node',
  );
  if (!opts.force && fs.existsSync(cachedAddon)) {
    fs.mkdirSync(path.dirname(addonPath), { recursive: true });
    fs.copyFileSync(cachedAddon, addonPath);
    steps.end('addon', 'copied the addon built before');
  } else {
    await buildAddon(sys, pkgDir, env, cacheRoot);
    if (!fs.existsSync(addonPath))
      throw new SetupError('build-failed', `The addon build finished but ${addonPath} is missing.`);
    fs.mkdirSync(path.dirname(cachedAddon), { recursive: true });
    fs.copyFileSync(addonPath, cachedAddon);
    steps.end('addon', 'built from source');
  }
  const newStamp: SetupStamp = {
    variant,
    packageVersion: pkgVersion,
    tfVersion,
    libDir: path.join(libRoot, 'lib'),
    source,
    napiVersion: napi,
    setupAt: new Date().toISOString(),
  };
  fs.writeFileSync(stampFile, JSON.stringify(newStamp, null, 2) + '\n');

  // 5. the check
  const verified = await verify(sys, opts.appRoot, pkg, variant, env, cacheRoot, steps, tfVersion);
  return result(variant, pkg, pkgVersion, verified, libRoot, source, false, steps, t0);
}

function result(
  variant: NativeVariant,
  pkg: string,
  pkgVersion: string,
  tfVersion: string,
  cacheDir: string,
  source: string,
  already: boolean,
  steps: Steps,
  t0: number,
): SetupResult {
  return {
    backend: variant === 'gpu' ? 'tensorflow-gpu' : 'tensorflow',
    packageName: pkg,
    packageVersion: pkgVersion,
    tfVersion,
    cacheDir,
    source,
    alreadySetUp: already,
    steps: steps.done,
    ms: Math.round(performance.now() - t0),
  };
}

export function lastLine(text: string): string {
  const lines = text.trim().split('\n').filter(Boolean);
  return (lines[lines.length - 1] ?? 'no output').slice(0, 300);
}

function linksPointTo(pkgDir: string, libDir: string): boolean {
  try {
    return (
      fs.realpathSync(path.join(pkgDir, 'deps', 'lib', 'libtensorflow.so.2')) ===
      fs.realpathSync(path.join(libDir, 'libtensorflow_cc.so.2'))
    );
  } catch {
    return false;
  }
}

/** The package's deps/: lib/ holds links to the cache's libraries under every name the addon's build and loader use. */
function linkLibrary(pkgDir: string, libRoot: string): void {
  const deps = path.join(pkgDir, 'deps');
  fs.rmSync(deps, { recursive: true, force: true });
  fs.mkdirSync(path.join(deps, 'lib'), { recursive: true });
  const cc = path.join(libRoot, 'lib', 'libtensorflow_cc.so.2');
  const fw = path.join(libRoot, 'lib', 'libtensorflow_framework.so.2');
  for (const name of ['libtensorflow.so.2.9.1', 'libtensorflow.so.2', 'libtensorflow.so', 'libtensorflow_cc.so.2'])
    fs.symlinkSync(cc, path.join(deps, 'lib', name));
  for (const name of ['libtensorflow_framework.so.2', 'libtensorflow_framework.so'])
    fs.symlinkSync(fw, path.join(deps, 'lib', name));
  fs.symlinkSync(path.join(libRoot, 'include'), path.join(deps, 'include'), 'dir');
}

async function buildAddon(sys: SetupSystem, pkgDir: string, env: NodeJS.ProcessEnv, cacheRoot: string): Promise<void> {
  const logFile = path.join(cacheRoot, 'logs', `addon-build-${new Date().toISOString().replace(/[:.]/g, '-')}.log`);
  let preGyp: string;
  try {
    preGyp = createRequire(path.join(pkgDir, 'package.json')).resolve('@mapbox/node-pre-gyp/bin/node-pre-gyp');
  } catch {
    throw new SetupError(
      'build-failed',
      `node-pre-gyp (a dependency of the TensorFlow package) is missing from ${pkgDir}. Run \`npm install\` and then this again.`,
    );
  }
  const dir = nodeDir(env);
  const buildEnv = { ...env, ...(dir ? { npm_config_nodedir: dir } : {}) };
  // `install --build-from-source`, not `rebuild`: rebuild loops over every N-API version and deletes lib/
  const r = await sys.run(process.execPath, [preGyp, 'install', '--build-from-source'], {
    cwd: pkgDir,
    env: buildEnv,
    logFile,
    timeoutMs: 900_000,
  });
  if (r.code !== 0) {
    const hint =
      /gyp: .*not found|No such file or directory.*node_api|Could not find any Python|not found: make|g\+\+: not found|c\+\+: not found/i.test(
        r.stderr + r.stdout,
      )
        ? ' It needs a C++ compiler, make, python3 and Node’s headers (Debian: `apt-get install g++ make python3`).'
        : '';
    throw new SetupError(
      'build-failed',
      `Building the TensorFlow addon failed: ${lastLine(r.stderr || r.stdout)}.${hint} The full log is in ${logFile}.`,
      logFile,
    );
  }
}

function checkCuda(sys: SetupSystem, tfVersion: string): void {
  const need = cudaLibrariesFor(tfVersion);
  const missing = sys.missingLibraries(need.libraries);
  if (missing && missing.length) {
    throw new SetupError(
      'missing-cuda',
      `TensorFlow ${tfVersion} on the GPU needs ${need.label}; the dynamic loader cannot find ${missing.join(', ')}. ${need.howTo} Then run this again.`,
    );
  }
}

async function verify(
  sys: SetupSystem,
  appRoot: string,
  pkg: string,
  variant: NativeVariant,
  env: NodeJS.ProcessEnv,
  cacheRoot: string,
  steps: Steps,
  expected: string,
): Promise<string> {
  steps.start('verify', 'Checking that the backend loads');
  const script = `const tf=require(${JSON.stringify(pkg)});const b=tf.backend();process.stdout.write(JSON.stringify({backend:tf.getBackend(),tf:b.binding&&b.binding.TF_Version}));`;
  const logFile = path.join(cacheRoot, 'logs', 'verify.log');
  let r;
  try {
    r = await sys.run(process.execPath, ['-e', script], {
      cwd: appRoot,
      env: { ...env, TF_CPP_MIN_LOG_LEVEL: '2' },
      logFile,
      timeoutMs: 120_000,
    });
  } catch (e) {
    throw new SetupError('verify-failed', `The check could not start Node: ${(e as Error).message}`);
  }
  const out = /\{.*\}/.exec(r.stdout)?.[0];
  const parsed = out ? (JSON.parse(out) as { backend?: string; tf?: string }) : null;
  if (r.code !== 0 || parsed?.backend !== 'tensorflow') {
    const cuda =
      variant === 'gpu' && /libcu|cudnn|CUDA/i.test(r.stderr)
        ? ' The GPU libraries could not be loaded: check CUDA and cuDNN (`winnow system info` lists what is missing).'
        : '';
    throw new SetupError(
      'verify-failed',
      `The TensorFlow backend was set up but does not load: ${lastLine(r.stderr || r.stdout)}.${cuda} The log is in ${logFile}.`,
      logFile,
    );
  }
  steps.end('verify', `backend ${parsed.backend}, TensorFlow ${parsed.tf ?? expected}`);
  return parsed.tf ?? expected;
}

/** No wheel to be had: let the package download its own libtensorflow 2.9.1 (online users), then check. */
async function packageDownload(
  sys: SetupSystem,
  appRoot: string,
  pkg: string,
  pkgDir: string,
  pkgVersion: string,
  variant: NativeVariant,
  env: NodeJS.ProcessEnv,
  cacheRoot: string,
  steps: Steps,
  t0: number,
  wheelFailure: string,
): Promise<SetupResult> {
  steps.start('addon', 'Downloading libtensorflow 2.9.1 with the package’s own installer');
  const logFile = path.join(cacheRoot, 'logs', 'package-download.log');
  const dir = nodeDir(env);
  const args = variant === 'gpu' ? ['scripts/install.js', 'gpu', 'download'] : ['scripts/install.js'];
  const r = await sys.run(process.execPath, args, {
    cwd: pkgDir,
    env: { ...env, ...(dir ? { npm_config_nodedir: dir } : {}) },
    logFile,
    timeoutMs: 900_000,
  });
  if (r.code !== 0 || !fs.existsSync(path.join(pkgDir, 'lib', `napi-v${napiVersionOf(pkgDir)}`, 'tfjs_binding.node'))) {
    throw new SetupError(
      'no-wheel',
      `No TensorFlow library could be found: ${wheelFailure || 'no wheel was given'}; and the package's own download failed (${lastLine(r.stderr || r.stdout)}). ` +
        `Give a wheel with --wheel FILE (a tensorflow-cpu 2.x wheel for Linux x86-64), set WINNOW_TF_WHEEL, or configure pip with an index that has tensorflow-cpu. Log: ${logFile}`,
      logFile,
    );
  }
  steps.end('addon', 'downloaded libtensorflow 2.9.1');
  if (variant === 'gpu') checkCuda(sys, '2.9.1');
  const stamp: SetupStamp = {
    variant,
    packageVersion: pkgVersion,
    tfVersion: '2.9.1',
    libDir: path.join(pkgDir, 'deps', 'lib'),
    source: 'download',
    napiVersion: napiVersionOf(pkgDir),
    setupAt: new Date().toISOString(),
  };
  fs.writeFileSync(path.join(pkgDir, 'deps', SETUP_STAMP), JSON.stringify(stamp, null, 2) + '\n');
  const verified = await verify(sys, appRoot, pkg, variant, env, cacheRoot, steps, '2.9.1');
  return result(variant, pkg, pkgVersion, verified, path.join(pkgDir, 'deps'), 'download', false, steps, t0);
}

/** The stamp of the package as set up, if any: which TensorFlow it links (the ladder's CUDA check follows it). */
export function readSetupStamp(appRoot: string, variant: NativeVariant): SetupStamp | null {
  const dir = packageDir(appRoot, NATIVE_PACKAGES[variant]);
  return dir ? readJson<SetupStamp>(path.join(dir, 'deps', SETUP_STAMP)) : null;
}
