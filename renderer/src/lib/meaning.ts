/** The meaning checks' numbers as the views show them: an accuracy's 95% interval as "±" and in words. */
import { jobMeaningNotes, wilsonInterval, type MeaningNote } from '../../../shared/meaning.js';

export interface IntervalText {
  /** Half the interval's width in percentage points: "±4.2". */
  pm: string;
  /** "95% interval 6.1–14.9 % over 200 test images". */
  title: string;
}

/** An accuracy's 95% Wilson interval over `images` test images; null without images. */
export function intervalText(accuracy: number, images: number): IntervalText | null {
  if (!(images > 0) || !Number.isFinite(accuracy)) return null;
  const { low, high } = wilsonInterval(accuracy, images);
  return {
    pm: `±${((100 * (high - low)) / 2).toFixed(1)}`,
    title: `95% interval ${(100 * low).toFixed(1)}–${(100 * high).toFixed(1)} % over ${images} test images`,
  };
}

/**
 * The meaning notes on a stored model from its report.json's text (as `models.file` hands it out): its test
 * report's chance-level and one-class checks; none when the report holds no test or cannot be read.
 */
export function storedModelNotes(reportText: string): MeaningNote[] {
  let report: unknown;
  try {
    report = JSON.parse(reportText);
  } catch {
    return [];
  }
  return jobMeaningNotes('evaluate', report);
}
