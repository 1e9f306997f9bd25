// `npm start`: build, make sure the Electron runtime and an Electron build of better-sqlite3 are present,
// then launch the desktop app. Every failure a person can hit ends in one plain sentence, not a stack trace.
// Set WINNOW_DEBUG=1 to see the output of the steps that failed.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const debug = Boolean(process.env.WINNOW_DEBUG);
const electronDir = path.join(root, 'node_modules', 'electron');
const nativeDir = path.join(root, 'build', 'electron-native');
const nativeFile = path.join(nativeDir, 'better_sqlite3.node');
const nativeStamp = path.join(nativeDir, 'electron-version.txt');

const say = (sentence) => console.log(sentence);
const fail = (sentence, code = 1) => {
  console.error(sentence);
  process.exit(code);
};
const showDetails = (result) => {
  if (!debug || !result) return;
  const text = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? `\n${result.error.message}` : ''}`;
  if (text.trim()) console.error(text.trim());
};

/** Runs a command quietly (output captured); true when it exits 0 within the time limit. */
function quiet(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', stdio: 'pipe', timeout: 10 * 60_000, ...options });
  if (result.status !== 0) showDetails(result);
  return result.status === 0;
}

// ---- 1. build -------------------------------------------------------------------------------------------

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const build = spawnSync(npm, ['run', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
if (build.status !== 0) fail('Winnow could not be built; the messages above say what went wrong.', build.status ?? 1);

// ---- 2. the Electron runtime ------------------------------------------------------------------------------

const electronVersion = JSON.parse(readFileSync(path.join(electronDir, 'package.json'), 'utf8')).version;

function electronInstalled() {
  try {
    const version = readFileSync(path.join(electronDir, 'dist', 'version'), 'utf8')
      .trim()
      .replace(/^v/, '');
    const relative = readFileSync(path.join(electronDir, 'path.txt'), 'utf8');
    return version === electronVersion && existsSync(path.join(electronDir, 'dist', relative));
  } catch {
    return false;
  }
}

if (!electronInstalled() && !process.env.ELECTRON_OVERRIDE_DIST_PATH) {
  say(`Fetching the Electron ${electronVersion} runtime (first run only, about 100 MB)…`);
  quiet(process.execPath, [path.join(electronDir, 'install.js')], { cwd: electronDir });
  if (!electronInstalled()) {
    fail(
      'Winnow could not fetch the Electron runtime (no internet access?); run `npm run serve` to use Winnow in your browser instead.',
    );
  }
}

let electronPath;
try {
  electronPath = require('electron');
} catch {
  electronPath = undefined;
}
if (typeof electronPath !== 'string' || !existsSync(electronPath)) {
  fail(
    'Winnow could not fetch the Electron runtime (no internet access?); run `npm run serve` to use Winnow in your browser instead.',
  );
}

// ---- 3. better-sqlite3 for Electron's ABI (development only; packaged builds are rebuilt by electron-builder) --

function nativeIsCurrent() {
  try {
    return existsSync(nativeFile) && readFileSync(nativeStamp, 'utf8').trim() === electronVersion;
  } catch {
    return false;
  }
}

/** npm passes its config to child processes as npm_config_*; these would point node-gyp at Node's headers. */
function nativeBuildEnv() {
  const env = { ...process.env };
  for (const key of [
    'nodedir',
    'target',
    'runtime',
    'disturl',
    'dist_url',
    'arch',
    'target_arch',
    'platform',
    'build_from_source',
    'devdir',
  ]) {
    delete env[`npm_config_${key}`];
    delete env[`NPM_CONFIG_${key.toUpperCase()}`];
  }
  return env;
}

/** Builds better_sqlite3.node for Electron in a temporary copy, so node_modules keeps its Node build. */
function buildNativeForElectron() {
  const source = path.dirname(require.resolve('better-sqlite3/package.json'));
  const work = mkdtempSync(path.join(os.tmpdir(), 'winnow-native-'));
  const copy = path.join(work, 'better-sqlite3');
  try {
    cpSync(source, copy, { recursive: true, filter: (p) => path.relative(source, p) !== 'build' });
    const built = path.join(copy, 'build', 'Release', 'better_sqlite3.node');
    const env = nativeBuildEnv();
    const target = ['--runtime', 'electron', '--target', electronVersion, '--arch', process.arch];
    // A prebuilt binary first (seconds), then a local compile against Electron's headers (minutes).
    const ok =
      quiet(process.execPath, [require.resolve('prebuild-install/bin.js'), ...target, '--platform', process.platform], {
        cwd: copy,
        env,
      }) ||
      quiet(
        process.execPath,
        [
          require.resolve('node-gyp/bin/node-gyp.js'),
          'rebuild',
          '--release',
          `--target=${electronVersion}`,
          `--arch=${process.arch}`,
          '--runtime=electron',
          '--dist-url=https://electronjs.org/headers',
          `--devdir=${path.join(os.homedir(), '.electron-gyp')}`,
        ],
        { cwd: copy, env },
      );
    if (!ok || !existsSync(built)) return false;
    mkdirSync(nativeDir, { recursive: true });
    copyFileSync(built, nativeFile);
    writeFileSync(nativeStamp, `${electronVersion}\n`);
    return true;
  } catch (error) {
    if (debug) console.error(error);
    return false;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (!nativeIsCurrent()) {
  say(`Preparing the database module for Electron ${electronVersion} (first run only)…`);
  if (!buildNativeForElectron()) {
    say(
      `Could not build the database module for Electron ${electronVersion} (no internet access or no C++ toolchain?), so Winnow may fail to open its data; starting anyway.`,
    );
  }
}

// ---- 4. launch ------------------------------------------------------------------------------------------------

const env = { ...process.env };
delete env.ELECTRON_RUN_AS_NODE;
const child = spawn(electronPath, ['.', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit', env });
child.on('error', () =>
  fail('Winnow could not start the Electron runtime; delete node_modules/electron and run `npm install` again.'),
);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (child.exitCode === null) child.kill(signal);
  });
}
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
