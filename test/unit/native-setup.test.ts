/**
 * `winnow setup tensorflow` (main/setup/native-engine.ts) on a fake app folder and fake wheels, with the programs it
 * runs (npm, pip, node-pre-gyp, the load check) replaced by fakes: what it unpacks and links, that a second run only
 * checks, that a wiped package is restored from the cache without a rebuild, and every error a user can hit. Also
 * the zip reader and the CUDA requirements, which follow the linked TensorFlow.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  SETUP_STAMP,
  SetupError,
  setupNativeEngine,
  type SetupOptions,
  type SetupResult,
  type SetupSystem,
} from '../../main/setup/native-engine.js';
import { neededMember, parseWheelName } from '../../main/setup/native-wheel.js';
import { _resetNativeSetupForTest, nativeSetupStatus, startNativeSetup } from '../../main/api/native-setup.js';
import type { ApiContext } from '../../main/api/registry.js';
import { extractEntry, listZip } from '../../main/zip/read.js';
import { cudaLibrariesFor, missingSharedLibraries } from '../../main/engine/backend/cuda.js';
import { rejectsWith } from '../helpers/errors.js';
import { tempDir } from '../helpers/tmp.js';
import { writeZip } from '../helpers/zip.js';

let tmp: { dir: string; cleanup: () => void };
beforeEach(() => {
  tmp = tempDir('winnow-setup-');
});
afterEach(() => tmp.cleanup());

const LIB = Buffer.alloc(200_000, 7);

function fakeWheel(name: string, opts: { libs?: boolean } = {}): string {
  const file = path.join(tmp.dir, name);
  writeZip(file, [
    ...(opts.libs === false
      ? []
      : [
          { name: 'tensorflow/libtensorflow_cc.so.2', data: LIB, deflate: true },
          { name: 'tensorflow/libtensorflow_framework.so.2', data: Buffer.from('framework'), deflate: false },
        ]),
    { name: 'tensorflow/include/tensorflow/c/c_api.h', data: Buffer.from('// c api'), deflate: true },
    { name: 'tensorflow/include/tensorflow/c/eager/c_api.h', data: Buffer.from('// eager'), deflate: true },
    { name: 'tensorflow/include/tsl/platform/ctstring.h', data: Buffer.from('// ctstring'), deflate: true },
    { name: 'tensorflow/include/xla/tsl/c/tsl_status.h', data: Buffer.from('// status'), deflate: true },
    {
      name: 'tensorflow/include/tensorflow/core/framework/tensor.h',
      data: Buffer.from('// not needed'),
      deflate: true,
    },
    { name: 'tensorflow/python/_pywrap.so', data: Buffer.alloc(5000, 1), deflate: true },
  ]);
  return file;
}

/** An app folder whose node_modules holds the native package (and node-pre-gyp), unbuilt. */
function fakeApp(opts: { withPackage?: boolean } = {}): string {
  const app = path.join(tmp.dir, 'app');
  fs.mkdirSync(app, { recursive: true });
  fs.writeFileSync(
    path.join(app, 'package.json'),
    JSON.stringify({ name: 'winnow', optionalDependencies: { '@tensorflow/tfjs-node': '^4.22.0' } }),
  );
  if (opts.withPackage !== false) installFakePackage(app);
  const preGyp = path.join(app, 'node_modules', '@mapbox', 'node-pre-gyp');
  fs.mkdirSync(path.join(preGyp, 'bin'), { recursive: true });
  fs.writeFileSync(
    path.join(preGyp, 'package.json'),
    JSON.stringify({ name: '@mapbox/node-pre-gyp', version: '1.0.0' }),
  );
  fs.writeFileSync(path.join(preGyp, 'bin', 'node-pre-gyp'), '');
  return app;
}

function installFakePackage(app: string, name = '@tensorflow/tfjs-node'): string {
  const pkg = path.join(app, 'node_modules', ...name.split('/'));
  fs.mkdirSync(pkg, { recursive: true });
  fs.writeFileSync(
    path.join(pkg, 'package.json'),
    JSON.stringify({ name, version: '4.22.0', binary: { napi_versions: [3, 4, 5, 6, 7, 8] } }),
  );
  return pkg;
}

interface Call {
  cmd: string;
  args: string[];
}

/** Fake programs: pip "downloads" `pipWheel`, node-pre-gyp "builds" the addon, the check reports tensorflow. */
function fakeSystem(
  app: string,
  o: {
    pipWheel?: string | null;
    buildFails?: boolean;
    free?: number | null;
    missing?: string[];
    npmFails?: boolean;
    noPython?: boolean;
    online?: boolean;
  } = {},
): SetupSystem & { calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    async run(cmd, args, opts) {
      calls.push({ cmd, args });
      if (opts.logFile) fs.appendFileSync(opts.logFile, `${cmd} ${args.join(' ')}\n`);
      if (cmd === 'npm' || cmd === 'npm.cmd') {
        if (o.npmFails) return { code: 1, stdout: '', stderr: 'npm ERR! network unreachable' };
        installFakePackage(app, args.at(-1)!.replace(/@[^@/]*$/, ''));
        return { code: 0, stdout: '', stderr: '' };
      }
      if (cmd === 'python3' || cmd === 'python') {
        if (o.noPython) throw Object.assign(new Error('spawn python3 ENOENT'), { code: 'ENOENT' });
        if (!o.pipWheel)
          return { code: 1, stdout: '', stderr: 'ERROR: No matching distribution found for tensorflow-cpu' };
        const dest = args[args.indexOf('-d') + 1]!;
        const saved = path.join(dest, path.basename(o.pipWheel));
        fs.copyFileSync(o.pipWheel, saved);
        return { code: 0, stdout: `Saved ${saved}\nSuccessfully downloaded tensorflow-cpu\n`, stderr: '' };
      }
      if (args[0]?.endsWith('node-pre-gyp')) {
        if (o.buildFails) return { code: 1, stdout: '', stderr: 'make: *** [tfjs_binding] Error 1' };
        const cwd = String(opts.cwd);
        fs.mkdirSync(path.join(cwd, 'lib', 'napi-v8'), { recursive: true });
        fs.writeFileSync(path.join(cwd, 'lib', 'napi-v8', 'tfjs_binding.node'), 'addon');
        return { code: 0, stdout: 'node-pre-gyp info ok', stderr: '' };
      }
      if (args[0] === '-e')
        return { code: 0, stdout: JSON.stringify({ backend: 'tensorflow', tf: '2.21.0' }), stderr: '' };
      if (args[0]?.endsWith('install.js')) {
        if (!o.online) return { code: 1, stdout: '', stderr: 'Error: getaddrinfo ENOTFOUND storage.googleapis.com' };
        // the package's own installer: libtensorflow 2.9.1 into deps/lib, then the addon
        const cwd = String(opts.cwd);
        fs.mkdirSync(path.join(cwd, 'deps', 'lib'), { recursive: true });
        fs.writeFileSync(path.join(cwd, 'deps', 'lib', 'libtensorflow.so.2.9.1'), 'lib');
        fs.mkdirSync(path.join(cwd, 'lib', 'napi-v8'), { recursive: true });
        fs.writeFileSync(path.join(cwd, 'lib', 'napi-v8', 'tfjs_binding.node'), 'addon');
        return { code: 0, stdout: '', stderr: '' };
      }
      throw new Error(`unexpected program ${cmd} ${args.join(' ')}`);
    },
    freeBytes: () => (o.free === undefined ? 10 * 1024 ** 3 : o.free),
    missingLibraries: (names) => (o.missing ? names.filter((n) => o.missing!.includes(n)) : []),
  };
}

function options(app: string, sys: SetupSystem, extra: Partial<SetupOptions> = {}): SetupOptions {
  return { variant: 'cpu', appRoot: app, cacheRoot: path.join(tmp.dir, 'cache'), env: {}, system: sys, ...extra };
}

const setupError = (p: Promise<unknown>): Promise<SetupError> => rejectsWith(p, SetupError);

describe('setupNativeEngine', () => {
  it('unpacks only the libraries and C headers into a versioned cache, links them, builds and checks the addon', async () => {
    const app = fakeApp();
    const sys = fakeSystem(app, { pipWheel: fakeWheel('tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl') });
    const r = await setupNativeEngine(options(app, sys));
    expect(r).toMatchObject({
      backend: 'tensorflow',
      tfVersion: '2.21.0',
      packageVersion: '4.22.0',
      source: 'pip',
      alreadySetUp: false,
    });
    const root = path.join(tmp.dir, 'cache', 'libtensorflow', '2.21.0-cpu');
    expect(fs.readFileSync(path.join(root, 'lib', 'libtensorflow_cc.so.2')).equals(LIB)).toBe(true);
    expect(fs.readFileSync(path.join(root, 'include', 'tensorflow', 'c', 'eager', 'c_api.h'), 'utf8')).toBe('// eager');
    expect(fs.existsSync(path.join(root, 'include', 'xla', 'tsl', 'c', 'tsl_status.h'))).toBe(true);
    expect(fs.existsSync(path.join(root, 'include', 'tensorflow', 'core', 'framework', 'tensor.h'))).toBe(false);
    const deps = path.join(app, 'node_modules', '@tensorflow', 'tfjs-node', 'deps');
    for (const name of ['libtensorflow.so.2.9.1', 'libtensorflow.so.2', 'libtensorflow.so', 'libtensorflow_cc.so.2']) {
      expect(fs.realpathSync(path.join(deps, 'lib', name))).toBe(
        fs.realpathSync(path.join(root, 'lib', 'libtensorflow_cc.so.2')),
      );
    }
    expect(JSON.parse(fs.readFileSync(path.join(deps, SETUP_STAMP), 'utf8'))).toMatchObject({
      variant: 'cpu',
      tfVersion: '2.21.0',
    });
    expect(sys.calls.filter((c) => c.args[0]?.endsWith('node-pre-gyp'))).toHaveLength(1);
    expect(r.steps.map((s) => s.step)).toEqual(['package', 'wheel', 'extract', 'link', 'addon', 'verify']);
  });

  it('a second run only checks; after npm wipes the package it is reinstalled and relinked without a rebuild', async () => {
    const app = fakeApp({ withPackage: false });
    const sys = fakeSystem(app, { pipWheel: fakeWheel('tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl') });
    await setupNativeEngine(options(app, sys));
    expect(sys.calls.some((c) => c.cmd.startsWith('npm') && c.args.includes('--ignore-scripts'))).toBe(true);
    const again = await setupNativeEngine(options(app, sys));
    expect(again.alreadySetUp).toBe(true);
    expect(again.steps.map((s) => s.step)).toEqual(['package', 'verify']);

    fs.rmSync(path.join(app, 'node_modules', '@tensorflow'), { recursive: true }); // what `npm ci` does to it
    sys.calls.length = 0;
    const restored = await setupNativeEngine(options(app, sys));
    expect(restored).toMatchObject({ alreadySetUp: false, source: 'cache' });
    expect(sys.calls.some((c) => c.args[0]?.endsWith('node-pre-gyp'))).toBe(false);
    expect(sys.calls.some((c) => c.cmd.startsWith('python'))).toBe(false);
    expect(
      fs.readFileSync(
        path.join(app, 'node_modules', '@tensorflow', 'tfjs-node', 'lib', 'napi-v8', 'tfjs_binding.node'),
        'utf8',
      ),
    ).toBe('addon');
  });

  it('takes --wheel (or WINNOW_TF_WHEEL) without asking pip', async () => {
    const app = fakeApp();
    const sys = fakeSystem(app, { pipWheel: null });
    const wheel = fakeWheel('tensorflow_cpu-2.18.1-cp311-cp311-manylinux_2_17_x86_64.whl');
    expect((await setupNativeEngine(options(app, sys, { wheel }))).source).toBe('--wheel');
    expect((await setupNativeEngine(options(app, sys, { env: { WINNOW_TF_WHEEL: wheel }, force: true }))).source).toBe(
      'WINNOW_TF_WHEEL',
    );
    expect(sys.calls.some((c) => c.cmd.startsWith('python'))).toBe(false);
  });

  it('refuses a wheel of another TensorFlow major, a non-TensorFlow wheel, one without the C library, and the CPU wheel for --gpu', async () => {
    const app = fakeApp();
    const sys = fakeSystem(app);
    const run = (name: string, extra: Partial<SetupOptions> = {}, libs = true) =>
      setupError(setupNativeEngine(options(app, sys, { wheel: fakeWheel(name, { libs }), ...extra })));
    expect((await run('tensorflow_cpu-1.15.5-cp37-cp37m-manylinux2010_x86_64.whl')).message).toMatch(
      /TensorFlow 1\.15\.5; the engine needs TensorFlow 2\.10 or newer/,
    );
    expect((await run('numpy-2.0.0-cp311-cp311-manylinux_2_17_x86_64.whl')).code).toBe('wrong-wheel');
    expect((await run('tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl', {}, false)).message).toMatch(
      /has no libtensorflow_cc\.so\.2/,
    );
    const gpu = await run('tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl', { variant: 'gpu' });
    expect(gpu.message).toMatch(/CPU-only wheel; the GPU engine needs the "tensorflow" wheel/);
  });

  it('says how much disk it needs when there is too little', async () => {
    const app = fakeApp();
    const sys = fakeSystem(app, { free: 1024 * 1024 });
    const e = await setupError(
      setupNativeEngine(
        options(app, sys, { wheel: fakeWheel('tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl') }),
      ),
    );
    expect(e.code).toBe('no-disk');
    expect(e.message).toMatch(/has 1 MB free; the TensorFlow library needs about \d+ MB/);
    expect(fs.existsSync(path.join(tmp.dir, 'cache', 'libtensorflow', '2.21.0-cpu'))).toBe(false);
  });

  it('a failed build names its log', async () => {
    const app = fakeApp();
    const sys = fakeSystem(app, { buildFails: true });
    const e = await setupError(
      setupNativeEngine(
        options(app, sys, { wheel: fakeWheel('tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl') }),
      ),
    );
    expect(e.code).toBe('build-failed');
    expect(e.logPath).toBeTruthy();
    expect(e.message).toContain(e.logPath!);
    expect(fs.readFileSync(e.logPath!, 'utf8')).toMatch(/node-pre-gyp install --build-from-source/);
  });

  it('with no python and no download, says what it tried and what to do', async () => {
    const app = fakeApp();
    const e = await setupError(setupNativeEngine(options(app, fakeSystem(app, { noPython: true }))));
    expect(e.code).toBe('no-wheel');
    expect(e.message).toMatch(/no python3 or python with pip was found/);
    expect(e.message).toMatch(/--wheel FILE/);
    const pipNone = await setupError(setupNativeEngine(options(app, fakeSystem(app, { pipWheel: null }))));
    expect(pipNone.message).toMatch(/No matching distribution found/);
  });

  it('online with no wheel, uses the package’s own download once; a second run only checks', async () => {
    const app = fakeApp();
    const sys = fakeSystem(app, { pipWheel: null, online: true });
    const first = await setupNativeEngine(options(app, sys));
    expect(first).toMatchObject({ source: 'download', alreadySetUp: false });
    sys.calls.length = 0;
    expect((await setupNativeEngine(options(app, sys))).alreadySetUp).toBe(true);
    expect(sys.calls.some((c) => c.args[0]?.endsWith('install.js'))).toBe(false);
  });

  it('reports a package npm cannot install', async () => {
    const app = fakeApp({ withPackage: false });
    const e = await setupError(setupNativeEngine(options(app, fakeSystem(app, { npmFails: true }))));
    expect(e.code).toBe('package-missing');
    expect(e.message).toMatch(/npm ERR! network unreachable/);
  });

  it('--gpu names the CUDA 12 / cuDNN 9 libraries a 2.21 wheel needs and that are missing', async () => {
    const app = fakeApp();
    installFakePackage(app, '@tensorflow/tfjs-node-gpu');
    const sys = fakeSystem(app, { missing: ['libcudnn.so.9', 'libcublasLt.so.12'] });
    const e = await setupError(
      setupNativeEngine(
        options(app, sys, {
          variant: 'gpu',
          wheel: fakeWheel('tensorflow-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl'),
        }),
      ),
    );
    expect(e.code).toBe('missing-cuda');
    expect(e.message).toMatch(
      /needs CUDA 12 and cuDNN 9; the dynamic loader cannot find libcublasLt\.so\.12, libcudnn\.so\.9/,
    );
    expect(e.message).toMatch(/nvidia-cudnn-cu12/);
  });
});

describe('wheel names and members', () => {
  it('parses wheel file names', () => {
    expect(parseWheelName('/x/tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl')).toEqual({
      name: 'tensorflow_cpu',
      version: '2.21.0',
      major: 2,
      minor: 21,
    });
    expect(parseWheelName('tensorflow-2.16.0rc0-cp311-cp311-manylinux_2_17_x86_64.whl')?.version).toBe('2.16.0');
    expect(parseWheelName('notawheel.zip')).toBeNull();
  });
  it('keeps the two libraries and the C API headers only', () => {
    expect(neededMember('tensorflow/libtensorflow_cc.so.2')).toEqual({ kind: 'lib', rel: 'libtensorflow_cc.so.2' });
    expect(neededMember('tensorflow/python/libtensorflow_cc.so.2')).toBeNull();
    expect(neededMember('tensorflow/include/tensorflow/c/c_api.h')).toEqual({
      kind: 'include',
      rel: 'tensorflow/c/c_api.h',
    });
    expect(neededMember('tensorflow/include/tensorflow/core/platform/ctstring_internal.h')?.kind).toBe('include');
    expect(neededMember('tensorflow/include/tensorflow/core/framework/tensor.h')).toBeNull();
  });
});

describe('zip reader', () => {
  it('lists and extracts stored and deflated members, and refuses a damaged file', async () => {
    const file = path.join(tmp.dir, 'a.zip');
    const big = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251));
    writeZip(file, [
      { name: 'a.txt', data: Buffer.from('hello') },
      { name: 'dir/big.bin', data: big, deflate: true },
    ]);
    const entries = listZip(file);
    expect(entries.map((e) => [e.name, e.size])).toEqual([
      ['a.txt', 5],
      ['dir/big.bin', 300_000],
    ]);
    expect(entries[1]!.compressedSize).toBeLessThan(big.length);
    const out = path.join(tmp.dir, 'big.bin');
    await extractEntry(file, entries[1]!, out);
    expect(fs.readFileSync(out).equals(big)).toBe(true);
    const damaged = path.join(tmp.dir, 'cut.zip');
    fs.writeFileSync(damaged, fs.readFileSync(file).subarray(0, 100));
    expect(() => listZip(damaged)).toThrow(/not a readable zip file: no end-of-central-directory record/);
  });
});

describe('CUDA requirements follow the linked TensorFlow', () => {
  it('2.9.1 (the package’s own download) needs CUDA 11.2 / cuDNN 8; a 2.21 wheel CUDA 12 / cuDNN 9', () => {
    expect(cudaLibrariesFor('2.9.1')).toMatchObject({ label: 'CUDA 11.2 and cuDNN 8' });
    expect(cudaLibrariesFor('2.9.1').libraries).toContain('libcudnn.so.8');
    expect(cudaLibrariesFor('2.21.0').libraries).toEqual(expect.arrayContaining(['libcudart.so.12', 'libcudnn.so.9']));
    expect(cudaLibrariesFor('2.15.1').label).toBe('CUDA 12 and cuDNN 8');
  });
  it('finds libraries in the loader cache or on LD_LIBRARY_PATH', () => {
    if (process.platform !== 'linux') return;
    const dir = path.join(tmp.dir, 'cuda');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'libcudnn.so.9'), '');
    const ldconfig = '\tlibcudart.so.12 (libc6,x86-64) => /usr/lib/libcudart.so.12\n';
    expect(
      missingSharedLibraries(
        ['libcudart.so.12', 'libcudnn.so.9', 'libcublas.so.12'],
        { LD_LIBRARY_PATH: dir },
        ldconfig,
      ),
    ).toEqual(['libcublas.so.12']);
  });
});

describe('the Settings page setup (system.setupNative)', () => {
  it('runs one setup at a time, reports its steps, and lets the idle engine process go when it succeeds', async () => {
    _resetNativeSetupForTest();
    let released = 0;
    const ctx = {
      supervisor: { releaseEngine: () => (released++, true) },
      backendReport: { preference: 'auto', report: {} },
    } as unknown as ApiContext;
    let finish!: () => void;
    const run = (o: SetupOptions) =>
      new Promise<SetupResult>((resolve) => {
        o.onProgress?.({ step: 'extract', message: 'Unpacking the TensorFlow 2.21.0 library' });
        finish = () =>
          resolve({
            backend: 'tensorflow',
            packageName: '@tensorflow/tfjs-node',
            packageVersion: '4.22.0',
            tfVersion: '2.21.0',
            cacheDir: '/c',
            source: 'pip',
            alreadySetUp: false,
            steps: [{ step: 'extract', ms: 1500, note: 'done' }],
            ms: 2000,
          });
      });
    const first = startNativeSetup(false, ctx, run);
    expect(first).toMatchObject({
      state: 'running',
      variant: 'cpu',
      current: 'Unpacking the TensorFlow 2.21.0 library',
    });
    expect(startNativeSetup(true, ctx, run).variant).toBe('cpu'); // the running one, not a second
    finish();
    await new Promise((r) => setTimeout(r, 0));
    expect(nativeSetupStatus()).toMatchObject({
      state: 'done',
      result: { tfVersion: '2.21.0', source: 'pip' },
      steps: [{ step: 'extract', seconds: 1.5 }],
    });
    expect(released).toBe(1);
    expect(ctx.backendReport).toBeUndefined();
  });

  it('keeps the message of a failed setup', async () => {
    _resetNativeSetupForTest();
    const ctx = { supervisor: { releaseEngine: () => true } } as unknown as ApiContext;
    startNativeSetup(false, ctx, () =>
      Promise.reject(
        new SetupError('no-disk', 'The disk holding /c has 3 MB free; the TensorFlow library needs about 900 MB.'),
      ),
    );
    await new Promise((r) => setTimeout(r, 0));
    expect(nativeSetupStatus()).toMatchObject({ state: 'failed', error: expect.stringMatching(/needs about 900 MB/) });
  });
});
