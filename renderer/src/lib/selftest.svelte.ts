/** The self-test started from Settings, remembered while the user moves between pages. */
class SelftestStore {
  /** The job this session started; null until then (Settings then shows the latest self-test on record). */
  jobId = $state<number | null>(null);
  starting = $state(false);
}

export const selftest = new SelftestStore();
