import type { ChalkInstance } from 'chalk';

/** The styles eventlite prints with. */
export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  cyan(text: string): string;
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
}

const same = (text: string) => text;

/** No colour: text as it is, for pipes, files and --no-color. */
export const PLAIN: Style = {
  bold: same,
  dim: same,
  cyan: same,
  green: same,
  red: same,
  yellow: same,
};

let chalk: typeof import('chalk') | undefined;

/**
 * Loads chalk when one of the streams is a terminal, the only place colour is shown. Loading
 * it loads Node's tty module, and with it net and stream, a measurable part of the start-up
 * of a short command whose output goes to a pipe or a file. Called once, before a command runs.
 */
export async function prepareStyles(...streams: readonly { isTTY?: boolean }[]): Promise<void> {
  if (chalk === undefined && streams.some((stream) => stream.isTTY === true))
    chalk = await import('chalk');
}

/** Colour for a terminal when colour is wanted (see prepareStyles); plain text otherwise. */
export function styleFor(stream: { isTTY?: boolean }, color: boolean): Style {
  if (!color || stream.isTTY !== true || chalk === undefined) return PLAIN;
  const instance: ChalkInstance = new chalk.Chalk({ level: 1 });
  return instance;
}
