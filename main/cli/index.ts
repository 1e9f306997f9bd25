/**
 * `winnow`: the command line. Thin: each command (commands/) parses its flags, opens a host (store + engine
 * worker), calls the API registry and prints; this module holds the help and finds the command. Every command
 * takes --data-dir and --json. run.ts is the process entry; `main` runs one command line in-process.
 */
import { APP_VERSION } from '../api/version.js';
import type { WorkerLauncher } from '../engine/jobs/protocol.js';
import { jobKinds, loadJobKindPlugins } from '../jobs/registry.js';
import { useWorkerLauncher } from './args.js';
import { aeCommand } from './commands/ae.js';
import { compressCommand, compressHelp } from './commands/compress.js';
import { datasetCommand } from './commands/dataset.js';
import { doctorCommand } from './commands/doctor.js';
import { evaluateCommand, evaluateHelp } from './commands/evaluate.js';
import { experimentCommand, experimentHelp } from './commands/experiment.js';
import { exportCommand } from './commands/export.js';
import { jobKindCommand, jobKindHelp } from './commands/job-kind.js';
import { jobsCommand } from './commands/jobs.js';
import { modelCommand } from './commands/model.js';
import { searchCommand, searchHelp } from './commands/search.js';
import { selftestCommand, selftestHelp } from './commands/selftest.js';
import { serveCommand } from './commands/serve.js';
import { setupCommand } from './commands/setup.js';
import { systemCommand } from './commands/system.js';
import { EXIT_OK, EXIT_USAGE, UsageError, say } from './output.js';

const HELP = `Winnow ${APP_VERSION}: data-efficient neural architecture search on your own image datasets.

Usage: winnow <command> [options]

Commands:
  system info [--json] [--refresh]       Version, data folder, database, CPU, memory and the backend ladder
  selftest [--steps N] [--batch N]       Train a small CNN on random data; report steps/s and the backend
  serve [--port N] [--host H] [--open]   Serve the UI and API to your browser (127.0.0.1, token-protected)
  setup tensorflow [--gpu] [--wheel FILE] [--force]
                                         Build the native TensorFlow engine offline from a TensorFlow wheel
                                         (--wheel, $WINNOW_TF_WHEEL, else pip download); --gpu: the CUDA build
  dataset import <path> [options]        Import class folders, IDX, CIFAR binaries or a CSV manifest
      --format auto|folder|idx|cifar10|cifar100|csv   --size N   --channels 1|3
      --fit cover|contain|fill   --name S   --drop-duplicates   --cifar100-labels fine|coarse
      --test-fraction F   --seed S   --again (import a source that was imported before)
  dataset sample mnist                   The 10,000 MNIST digits shipped with Winnow, as a dataset
  dataset synth chroma [--n N] [--size N] [--seed S]
                                         A procedural colour dataset (classes differ in fine colour detail)
  dataset list | show <id> | rm <id>     Datasets, one dataset's classes and splits, delete one
  ae train --dataset <id> [options]      Train a similarity autoencoder; prints its id and metrics
      --preset mnist-like|rgb   --loss contractive|mse|triplet|cosine|circle[+...]   --kendall
      --dim N   --epochs N   --batch N   --lr X   --lr-schedule constant|cosine   --seed S
      --untrained (random weights: the ablation)
      --jpeg-quality Q --jpeg-subsampling 4:2:0|4:4:4 (train and embed on JPEG-compressed images)
  ae list [--dataset <id>] | show <id> | rm <id>
  ae map <id> --out map.png|map.svg      The 2-D map of its latent space, coloured by class
  search --dataset <id> [options]        Architecture search (DARTS first-order over a supernet); prints the genotype
      --space darts|nb201   --strategy full|random|dds|dds-untrained|bdp   --epochs N   --batch N
      --channels C   --cells N   --lr X   --alpha-lr X   --seed S
      --limit-per-class N (images per class, split over train_w / train_a)
      --augment auto|on|off (crop + flip of the weight and α batches; auto: RGB only)
      --jpeg-quality Q --jpeg-subsampling 4:2:0|4:4:4 (search on JPEG-compressed images)
      random/dds: --subset S --val-mode resample-each-epoch|fixed|with-subset (the α steps' subset, one policy)
      dds: --mastery m --mastery-by correct|easy (latest top-1 over the subset | fraction easy) --hardness h
           --replace-pool global|unseen-first (any image not in the subset | unseen first) --warmup-epochs N
           --ae <id> | --train-ae EPOCHS (batch 8, Adam lr 1e-3, constant: the autoencoder job's defaults)
      bdp: --prune-every T --prune-train p --prune-val p --no-balance
      --algorithm darts|dsm (dsm: DSM-NAS over NAS-Bench-201, the dsm-search job; its flags: winnow dsm-search --help)
  search --resume <job>                  Continue an interrupted, cancelled or failed search from its checkpoint
  search list [--dataset <id>]           Searches, newest first, with their latest genotype
  export genotype <job> [--format darts|nb201|json|svg] [--cell normal|reduce] [--out FILE]
                                         A search's genotype (default: its own text format) to FILE or stdout
  evaluate --dataset <id> (--from-search <job> | --genotype <file|text> | --baseline cnn|resnet20) [options]
                                         Train the network from scratch; report test accuracy, params, multiply-adds
      --preset tiny|small|thesis-mnist|thesis-fashion|thesis-cifar|darts-paper   --channels C   --layers L
      (thesis-*: 300 epochs, batch 32, lr 0.01; darts-paper: 600 epochs, batch 96, lr 0.025, unless given)
      --epochs N   --batch N   --lr X   --seed S   --aux   --drop-path P   --augment auto|on|off
      --limit-per-class N (training images per class)
      --jpeg-quality Q --jpeg-subsampling 4:2:0|4:4:4 (train and test on JPEG-compressed images)
  evaluate --resume <job>                Continue an interrupted, cancelled or failed evaluation
  evaluate list [--dataset <id>]         Evaluations, newest first, with accuracy, size and the search's cost
  compress --dataset <id> (--model <job> | --model-id <id> | --baseline cnn|resnet20) [options]
                                         JPEG compression study: accuracy and per-group bias at each quality x subsampling
      --qualities 5,10,15,50,75,95   --subsampling 4:2:0,4:4:4   --protocol test,retrain,mixed   --mozjpeg
      --epochs N (baseline and each retraining)   --preset P (baseline size)   --batch N   --lr X   --seed S
      --limit-per-class N (training images per class)   --size-sample N (images encoded one by one for file sizes)
      --allow-meaningless-model (study a stored model at chance level or answering one class anyway)
  compress --resume <job>                Continue an interrupted, cancelled or failed study (finished points are kept)
  compress list [--dataset <id>]         Compression studies, newest first
  experiment run (FILE.json | --preset P) [--dataset <id>] [--scale quick|small|paper] [--seeds N] [--name S]
                                         A grid of searches and evaluations (strategy x algorithm x JPEG stage x
                                         seed) run as one job, compared in one report; presets: dds-ablation, bdp,
                                         dds-under-compression, compression-robustness (winnow experiment presets)
  experiment resume <job> | list [--dataset <id>] | show <job> | report <job> --out DIR
                                         Continue one (finished children are kept), list them, show one's report,
                                         write its report folder (report.md, results.csv, experiment.json, charts)
  export table <job> --out FILE.csv      A compression study's whole table as CSV
  export model <job> --out DIR           An evaluation's model: model.json + weights.bin (TensorFlow.js), report.json,
                                         genotype.json
  model list [--dataset <id>] | show <id> | import <dir> [--name S] | rm <id>
                                         Stored models (trained by evaluations or imported)
  jobs list [--json] [--limit N]         Jobs, newest first
  jobs show <id> [--json]                One job with its result and recent log
  jobs cancel <id>                       Cancel a queued or running job
  jobs resume <id> [--restart]           Resume an interrupted, cancelled or failed job; --restart runs it from the
                                         start (its files, e.g. a damaged checkpoint, are moved to leftovers/)
  doctor [--repair]                      Full database integrity check; folders and rows that disagree. --repair
                                         removes partial outputs of stopped jobs, moves orphan folders to leftovers/

Options for every command:
  --data-dir DIR     Where Winnow keeps its database and files (env WINNOW_DATA_DIR;
                     default $XDG_DATA_HOME/winnow or ~/.local/share/winnow)
  --backend B        auto | tensorflow-gpu | tensorflow | wasm | cpu (default: the saved setting, else auto)
  --json             Print one JSON document on stdout and nothing else
  -h, --help         This help;  -v, --version  the version

With --json, an error is one JSON document too: {"error": {"code": "...", "message": "..."}}.
Exit codes: 0 ok; 1 failure (a failed job, damaged or unreadable data, a refused data folder); 2 bad arguments.`;

/** The hand-written commands, by every word that names them. */
const COMMANDS: Record<string, (args: string[]) => Promise<number> | number> = {
  system: systemCommand,
  selftest: selftestCommand,
  serve: serveCommand,
  jobs: jobsCommand,
  dataset: datasetCommand,
  datasets: datasetCommand,
  ae: aeCommand,
  autoencoder: aeCommand,
  search: searchCommand,
  export: exportCommand,
  evaluate: evaluateCommand,
  model: modelCommand,
  models: modelCommand,
  compress: compressCommand,
  experiment: experimentCommand,
  experiments: experimentCommand,
  setup: setupCommand,
  doctor: doctorCommand,
};

/** `winnow <command> --help` for the commands whose flags come from a parameter schema; the others print HELP. */
const COMMAND_HELP: Record<string, () => string> = {
  search: searchHelp,
  evaluate: evaluateHelp,
  compress: compressHelp,
  experiment: experimentHelp,
  selftest: selftestHelp,
};

/** A job kind without a hand-written command, started by its own command word (a kind registered at run time). */
const kindOfCommand = (command: string) =>
  Object.hasOwn(COMMANDS, command) ? undefined : jobKinds().find((k) => k.cli?.command === command);

export interface MainOptions {
  /** How to run the engine: default, a forked worker process; tests pass an in-process launcher. */
  launcher?: WorkerLauncher;
}

/** Runs one command line; resolves with the exit code, or rejects with the error to report (see run.ts). */
export async function main(argv: string[], options: MainOptions = {}): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    say(HELP);
    return command === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (command === '--version' || command === '-v') {
    process.stdout.write(APP_VERSION + '\n');
    return EXIT_OK;
  }
  await loadJobKindPlugins(); // a plug-in kind (WINNOW_JOB_KINDS) has a command word too
  const kind = kindOfCommand(command);
  if (rest.includes('--help') || rest.includes('-h')) {
    say(kind ? jobKindHelp(kind) : Object.hasOwn(COMMAND_HELP, command) ? COMMAND_HELP[command]!() : HELP);
    return EXIT_OK;
  }
  const run = Object.hasOwn(COMMANDS, command)
    ? COMMANDS[command]!
    : kind
      ? (args: string[]) => jobKindCommand(kind, args)
      : null;
  if (!run) throw new UsageError(`Unknown command "${command}". Run \`winnow --help\` for the list.`);
  useWorkerLauncher(options.launcher ?? null);
  try {
    return await run(rest);
  } finally {
    useWorkerLauncher(null);
  }
}
