import type { JobEvent, JobKind, JobProgress, JobState, JobSummary, StoredJobEvent } from '../../shared/jobs.js';
import type { Db } from './db.js';
import type { DataPaths } from './paths.js';

interface JobRow {
  id: number;
  kind: string;
  state: JobState;
  params: string;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  progress: string | null;
  message: string | null;
  result: string | null;
  attempts: number;
  owner_pid: number | null;
  worker_pid: number | null;
}

const parse = (s: string | null): unknown => (s == null ? null : JSON.parse(s));

/**
 * The paths a job event carries (an artifact's `path`, a result's `files`) are kept relative to the data folder
 * and made absolute again when read: a copied or moved data folder points at its own files.
 */
function mapEventPaths(event: JobEvent, map: (p: string) => string): JobEvent {
  if (event.type === 'artifact') return { ...event, path: map(event.path) };
  if (event.type === 'result') return { ...event, result: mapResultPaths(event.result, map) };
  return event;
}

function mapResultPaths(result: unknown, map: (p: string) => string): unknown {
  if (!result || typeof result !== 'object' || Array.isArray(result)) return result;
  const files = (result as { files?: unknown }).files;
  if (!files || typeof files !== 'object' || Array.isArray(files)) return result;
  const mapped = Object.fromEntries(
    Object.entries(files as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'string' ? map(v) : v]),
  );
  return { ...(result as Record<string, unknown>), files: mapped };
}

function toSummary(r: JobRow, paths: DataPaths): JobSummary {
  return {
    id: r.id,
    kind: r.kind as JobKind,
    state: r.state,
    params: (parse(r.params) as Record<string, unknown>) ?? {},
    createdAt: r.created_at,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    progress: parse(r.progress) as JobProgress | null,
    message: r.message,
    result: mapResultPaths(parse(r.result), (p) => paths.toAbsolute(p)),
    attempts: r.attempts,
  };
}

export interface JobOwnership {
  ownerPid: number | null;
  workerPid: number | null;
}

/** Jobs, their event log and their metrics. One class so that an event and the job row change in one transaction. */
export class JobsRepo {
  constructor(
    private readonly db: Db,
    private readonly paths: DataPaths,
  ) {}

  private summary = (r: JobRow): JobSummary => toSummary(r, this.paths);

  private stored(jobId: number, seq: number, ts: number, payload: string): StoredJobEvent {
    return { jobId, seq, ts, event: mapEventPaths(JSON.parse(payload) as JobEvent, (p) => this.paths.toAbsolute(p)) };
  }

  create(kind: string, params: unknown, ownerPid: number): JobSummary {
    const info = this.db
      .prepare("INSERT INTO jobs (kind, state, params, created_at, owner_pid) VALUES (?, 'queued', ?, ?, ?)")
      .run(kind, JSON.stringify(params), Date.now(), ownerPid);
    return this.get(Number(info.lastInsertRowid))!;
  }

  get(id: number): JobSummary | undefined {
    const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
    return row ? this.summary(row) : undefined;
  }

  ownership(id: number): JobOwnership | undefined {
    const row = this.db.prepare('SELECT owner_pid, worker_pid FROM jobs WHERE id = ?').get(id) as
      { owner_pid: number | null; worker_pid: number | null } | undefined;
    return row ? { ownerPid: row.owner_pid, workerPid: row.worker_pid } : undefined;
  }

  list(filter: { limit: number; kind?: string; state?: JobState }): JobSummary[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.kind) {
      where.push('kind = ?');
      args.push(filter.kind);
    }
    if (filter.state) {
      where.push('state = ?');
      args.push(filter.state);
    }
    const sql = `SELECT * FROM jobs ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...args, filter.limit) as JobRow[]).map(this.summary);
  }

  /** Jobs in the given states with their owning process, oldest first. */
  listByStates(states: readonly JobState[]): Array<JobSummary & JobOwnership> {
    const rows = this.db
      .prepare(`SELECT * FROM jobs WHERE state IN (${states.map(() => '?').join(',')}) ORDER BY id`)
      .all(...states) as JobRow[];
    return rows.map((r) => ({ ...this.summary(r), ownerPid: r.owner_pid, workerPid: r.worker_pid }));
  }

  /** Appends an event, keeps the job row's derived columns (state, progress, result) in step, all in one transaction. */
  appendEvent(jobId: number, given: JobEvent, ts = Date.now()): StoredJobEvent {
    const event = mapEventPaths(given, (p) => this.paths.toStored(p));
    return this.db
      .transaction((): StoredJobEvent => {
        const { next_seq: seq } = this.db.prepare('SELECT next_seq FROM jobs WHERE id = ?').get(jobId) as {
          next_seq: number;
        };
        this.db.prepare('UPDATE jobs SET next_seq = next_seq + 1 WHERE id = ?').run(jobId);
        this.db
          .prepare('INSERT INTO job_events (job_id, seq, ts, type, payload) VALUES (?, ?, ?, ?, ?)')
          .run(jobId, seq, ts, event.type, JSON.stringify(event));
        switch (event.type) {
          case 'progress': {
            const { type: _t, ...progress } = event;
            this.db.prepare('UPDATE jobs SET progress = ? WHERE id = ?').run(JSON.stringify(progress), jobId);
            break;
          }
          case 'metric':
            this.db
              .prepare('INSERT INTO metrics (job_id, name, step, epoch, value, ts) VALUES (?, ?, ?, ?, ?, ?)')
              .run(jobId, event.name, event.step ?? null, event.epoch ?? null, event.value, ts);
            break;
          case 'result':
            this.db.prepare('UPDATE jobs SET result = ? WHERE id = ?').run(JSON.stringify(event.result ?? null), jobId);
            break;
          case 'artifact':
            this.db
              .prepare('INSERT INTO artifacts (job_id, name, path, mime, created_at) VALUES (?, ?, ?, ?, ?)')
              .run(jobId, event.name, event.path, event.mime ?? null, ts);
            break;
          case 'state':
            this.applyState(jobId, event.state, event.message ?? null, ts);
            break;
          case 'log':
            break;
        }
        return { jobId, seq, ts, event: given };
      })
      .immediate();
  }

  private applyState(jobId: number, state: JobState, message: string | null, ts: number): void {
    if (state === 'running') {
      this.db
        .prepare(
          "UPDATE jobs SET state = 'running', cancel_requested = 0, started_at = COALESCE(started_at, ?), ended_at = NULL, message = NULL, attempts = attempts + 1 WHERE id = ?",
        )
        .run(ts, jobId);
    } else if (state === 'queued') {
      this.db
        .prepare("UPDATE jobs SET state = 'queued', ended_at = NULL, message = ? WHERE id = ?")
        .run(message, jobId);
    } else {
      this.db
        .prepare('UPDATE jobs SET state = ?, ended_at = ?, message = ?, worker_pid = NULL WHERE id = ?')
        .run(state, ts, message, jobId);
    }
  }

  requestCancel(jobId: number): void {
    this.db.prepare('UPDATE jobs SET cancel_requested = 1 WHERE id = ?').run(jobId);
  }

  /** Ids among `jobIds` that another process asked to cancel (and clears the request). */
  takeCancelRequests(jobIds: readonly number[]): number[] {
    if (jobIds.length === 0) return [];
    const marks = jobIds.map(() => '?').join(',');
    const ids = (
      this.db.prepare(`SELECT id FROM jobs WHERE cancel_requested = 1 AND id IN (${marks})`).all(...jobIds) as Array<{
        id: number;
      }>
    ).map((r) => r.id);
    if (ids.length)
      this.db.prepare(`UPDATE jobs SET cancel_requested = 0 WHERE id IN (${ids.map(() => '?').join(',')})`).run(...ids);
    return ids;
  }

  setOwner(jobId: number, ownerPid: number | null, workerPid: number | null): void {
    this.db.prepare('UPDATE jobs SET owner_pid = ?, worker_pid = ? WHERE id = ?').run(ownerPid, workerPid, jobId);
  }

  events(jobId: number, afterSeq: number, limit: number, types?: readonly string[]): StoredJobEvent[] {
    const typeFilter = types && types.length ? ` AND type IN (${types.map(() => '?').join(',')})` : '';
    const rows = this.db
      .prepare(`SELECT seq, ts, payload FROM job_events WHERE job_id = ? AND seq > ?${typeFilter} ORDER BY seq LIMIT ?`)
      .all(jobId, afterSeq, ...(types ?? []), limit) as Array<{ seq: number; ts: number; payload: string }>;
    return rows.map((r) => this.stored(jobId, r.seq, r.ts, r.payload));
  }

  /** The job's most recent event of this type (highest seq), if any. */
  lastEvent(jobId: number, type: string): StoredJobEvent | undefined {
    const row = this.db
      .prepare('SELECT seq, ts, payload FROM job_events WHERE job_id = ? AND type = ? ORDER BY seq DESC LIMIT 1')
      .get(jobId, type) as { seq: number; ts: number; payload: string } | undefined;
    return row ? this.stored(jobId, row.seq, row.ts, row.payload) : undefined;
  }

  metrics(
    jobId: number,
    name: string,
  ): Array<{ step: number | null; epoch: number | null; value: number; ts: number }> {
    return this.db
      .prepare('SELECT step, epoch, value, ts FROM metrics WHERE job_id = ? AND name = ? ORDER BY ts, rowid')
      .all(jobId, name) as Array<{ step: number | null; epoch: number | null; value: number; ts: number }>;
  }

  artifacts(jobId: number): Array<{ id: number; name: string; path: string; mime: string | null; createdAt: number }> {
    const rows = this.db
      .prepare('SELECT id, name, path, mime, created_at AS createdAt FROM artifacts WHERE job_id = ? ORDER BY id')
      .all(jobId) as Array<{ id: number; name: string; path: string; mime: string | null; createdAt: number }>;
    return rows.map((r) => ({ ...r, path: this.paths.toAbsolute(r.path) }));
  }
}
