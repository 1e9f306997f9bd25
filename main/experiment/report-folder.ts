/**
 * The experiment's report as a folder: report.md, results.csv, experiment.json (the grid, as `winnow experiment run`
 * reads it) and each chart as SVG and PNG. Written whole into a temporary folder beside the target and swapped in,
 * so a reader (or a crash) never sees half a report.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { experimentCharts } from '../../shared/experiment-charts.js';
import { genotypeDrawings, reportMarkdown, resultsCsv } from '../../shared/experiment-report.js';
import type { ExperimentCell, ExperimentParams, ExperimentReport, ExperimentRun } from '../../shared/experiment.js';

export interface ReportFolderInput {
  params: ExperimentParams;
  report: ExperimentReport;
  runs: readonly ExperimentRun[];
  cells: readonly ExperimentCell[];
  /** The dataset's number of classes: the charts draw chance level. */
  classes?: number;
}

export const REPORT_FILE = 'report.md';
export const RESULTS_FILE = 'results.csv';
export const PARAMS_FILE = 'experiment.json';
/** The charts' PNGs are this wide: sharp rasterizes the SVG at the density that gives it. */
export const PNG_WIDTH = 1600;

/** An SVG as PNG, PNG_WIDTH wide (SVG user units are 1/72 inch to librsvg at density 72). */
export async function svgToPng(svg: string): Promise<Buffer> {
  const width = Number(/<svg[^>]*\swidth="([\d.]+)"/.exec(svg)?.[1] ?? 800);
  return sharp(Buffer.from(svg), { density: (72 * PNG_WIDTH) / width })
    .png()
    .toBuffer();
}

/** Writes the report folder at `dir` (replacing one there) and returns its file names, in reading order. */
export async function writeReportFolder(dir: string, input: ReportFolderInput): Promise<string[]> {
  const files: [string, string | Buffer][] = [
    [REPORT_FILE, reportMarkdown(input.report, input.params)],
    [RESULTS_FILE, resultsCsv(input.runs, input.cells)],
    [PARAMS_FILE, `${JSON.stringify(input.params, null, 2)}\n`],
  ];
  for (const chart of experimentCharts(input.report, { classes: input.classes })) {
    files.push([`${chart.name}.svg`, chart.svg], [`${chart.name}.png`, await svgToPng(chart.svg)]);
  }
  for (const cell of input.report.cells)
    for (const drawing of genotypeDrawings(cell)) files.push([`${drawing.name}.svg`, drawing.svg]);
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const stamp = `${process.pid}.${Date.now()}`;
  const tmp = `${dir}.${stamp}.tmp`;
  const old = `${dir}.${stamp}.old`;
  try {
    fs.mkdirSync(tmp);
    for (const [name, data] of files) fs.writeFileSync(path.join(tmp, name), data);
    // move the old folder aside rather than deleting it first: a crash in between leaves one whole report
    const had = fs.existsSync(dir);
    if (had) fs.renameSync(dir, old);
    try {
      fs.renameSync(tmp, dir);
    } catch (err) {
      if (had) fs.renameSync(old, dir);
      throw err;
    }
    if (had) fs.rmSync(old, { recursive: true, force: true });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return files.map(([name]) => name);
}
