/**
 * One message, two audiences. The API's errors and refusals are read in the app and on the command line; a hint that
 * names a command (`winnow ae list`, --train-ae N) helps only the second. `cliHint` marks such a part; the CLI
 * prints it (`forCli`), the app leaves it out (`forApp`: the renderer's client and the cost estimate apply it).
 */
const OPEN = '[[cli:';
const CLOSE = ']]';
const MARKED = /\s*\[\[cli:(.*?)\]\]/gs;

/** `text` as a part of a message that only the command line shows (say it with its own leading words). */
export function cliHint(text: string): string {
  return `${OPEN}${text}${CLOSE}`;
}

/** The message as the command line prints it: the hints in place, unmarked. */
export function forCli(message: string): string {
  return message.replace(MARKED, (m, hint: string) => (/^\s/.test(m) ? ' ' : '') + hint.trim());
}

/** The message as the app shows it: without the command-line hints (and the space before each). */
export function forApp(message: string): string {
  return message.replace(MARKED, '').trim();
}
