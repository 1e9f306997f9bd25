/**
 * The real `SetupSystem` of `winnow setup tensorflow` (see native-engine.ts): runs commands with their output
 * logged and a time limit, reports free disk space and which shared libraries are missing. Tests pass their own.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { missingSharedLibraries } from '../engine/backend/cuda.js';
import type { SetupSystem } from './native-engine.js';

export function defaultSystem(): SetupSystem {
  return {
    run(cmd, args, opts) {
      return new Promise((resolve, reject) => {
        const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        const log = opts.logFile ? fs.createWriteStream(opts.logFile, { flags: 'a' }) : null;
        child.stdout!.on('data', (d: Buffer) => {
          stdout += d.toString();
          log?.write(d);
        });
        child.stderr!.on('data', (d: Buffer) => {
          stderr += d.toString();
          log?.write(d);
        });
        const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : null;
        child.on('error', (e) => {
          if (timer) clearTimeout(timer);
          log?.end();
          reject(e);
        });
        child.on('close', (code) => {
          if (timer) clearTimeout(timer);
          log?.end();
          resolve({ code: code ?? 1, stdout, stderr });
        });
      });
    },
    freeBytes(dir) {
      try {
        const s = fs.statfsSync(dir);
        return s.bavail * s.bsize;
      } catch {
        return null;
      }
    },
    missingLibraries(names) {
      return missingSharedLibraries(names);
    },
  };
}
