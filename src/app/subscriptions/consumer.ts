import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, resolve } from 'node:path';
import { NotFoundError } from '../../core/errors.js';
import type { RecordedEvent } from '../../core/events.js';
import { eventJsonLine } from '../../core/recorded-event.js';

/** What a consumer is told of a delivery besides its events. */
export interface DeliveryInfo {
  subscription: string;
  member: number;
  groupSize: number;
  /** 1 for a first try, 2 for the first retry, and so on. */
  attempt: number;
}

export interface DeliveryOutcome {
  /** True when the consumer acknowledged the events (a command's exit code 0). */
  ok: boolean;
  /** What happened, for messages: "exit code 3", "killed by SIGKILL". */
  detail: string;
}

/** Whatever takes a subscription's events: a command, or a function in a test. */
export interface Consumer {
  deliver(events: readonly RecordedEvent[], info: DeliveryInfo): Promise<DeliveryOutcome>;
}

/** Where a command's stdout or stderr goes: a descriptor it writes itself, or a stream. */
export type OutputTarget = number | { write(chunk: Uint8Array): unknown };

export interface CommandOptions {
  cwd: string;
  env: Record<string, string | undefined>;
  stdout: OutputTarget;
  stderr: OutputTarget;
  /**
   * Aborted on a second Ctrl-C or SIGTERM: the running command's process group gets that
   * signal (the abort's reason, a signal name), and its batch is not acknowledged.
   */
  force?: AbortSignal;
}

/**
 * A consumer that runs `argv` once per batch, the events as NDJSON (the contract's event
 * shape, one per line) on its stdin; exit code 0 acknowledges the batch. The command runs in a
 * process group of its own, so that Ctrl-C at a terminal reaches eventlite alone, which then
 * lets the running batch finish (see `force` for the second Ctrl-C). Its stdout and stderr are
 * eventlite's. It learns where it is from the environment: EVENTLITE_SUBSCRIPTION,
 * EVENTLITE_MEMBER and EVENTLITE_GROUP_SIZE, EVENTLITE_FIRST_POSITION and
 * EVENTLITE_LAST_POSITION, and EVENTLITE_ATTEMPT (1, then 2 for the first retry, …; a batch
 * redelivered after a crash starts at 1 again).
 */
export function commandConsumer(argv: readonly string[], options: CommandOptions): Consumer {
  const [command, ...args] = argv;
  if (command === undefined) throw new NotFoundError('no command to run');
  checkRunnable(command, options);
  return {
    deliver: (events, info) =>
      new Promise((resolve, reject) => {
        const piped = (target: OutputTarget) => (typeof target === 'number' ? target : 'pipe');
        const child = spawn(command, args, {
          cwd: options.cwd,
          env: {
            ...options.env,
            EVENTLITE_SUBSCRIPTION: info.subscription,
            EVENTLITE_MEMBER: String(info.member),
            EVENTLITE_GROUP_SIZE: String(info.groupSize),
            EVENTLITE_FIRST_POSITION: String(events[0]?.position ?? ''),
            EVENTLITE_LAST_POSITION: String(events[events.length - 1]?.position ?? ''),
            EVENTLITE_ATTEMPT: String(info.attempt),
          },
          stdio: ['pipe', piped(options.stdout), piped(options.stderr)],
          detached: true,
        });
        for (const [from, to] of [
          [child.stdout, options.stdout],
          [child.stderr, options.stderr],
        ] as const) {
          if (typeof to !== 'number') from?.on('data', (chunk: Buffer) => to.write(chunk));
        }
        const force = () => {
          const signal =
            typeof options.force?.reason === 'string' ? options.force.reason : 'SIGTERM';
          try {
            process.kill(-child.pid!, signal as NodeJS.Signals);
          } catch {
            // Already gone.
          }
        };
        options.force?.addEventListener('abort', force, { once: true });
        let settled = false;
        child.on('error', (error: NodeJS.ErrnoException) => {
          if (settled) return;
          settled = true;
          options.force?.removeEventListener('abort', force);
          if (error.code === 'ENOENT' || error.code === 'EACCES') {
            reject(new NotFoundError(`cannot run "${command}": ${reasonOf(error.code)}`));
          } else reject(error);
        });
        child.on('close', (code, signal) => {
          if (settled) return;
          settled = true;
          options.force?.removeEventListener('abort', force);
          resolve({
            ok: code === 0,
            detail: code !== null ? `exit code ${code}` : `killed by ${signal}`,
          });
        });
        // A command that exits without reading all of its input (`true`) closes the pipe: not
        // an error of ours, its exit code says whether it took the batch.
        child.stdin!.on('error', () => {});
        let text = '';
        for (const event of events) text += `${eventJsonLine(event)}\n`;
        child.stdin!.end(text);
      }),
  };
}

/**
 * Refuses, before anything is delivered, a command that cannot be run: a path to no executable
 * file, or a name found in no folder of PATH (as the shell looks it up).
 */
function checkRunnable(command: string, options: Pick<CommandOptions, 'cwd' | 'env'>): void {
  const candidates = command.includes('/')
    ? [resolve(options.cwd, command)]
    : (options.env.PATH ?? '')
        .split(delimiter)
        .map((folder) => resolve(options.cwd, folder === '' ? '.' : folder, command));
  const runnable = candidates.some((path) => {
    try {
      accessSync(path, constants.X_OK);
      return statSync(path).isFile();
    } catch {
      return false;
    }
  });
  if (!runnable) {
    throw new NotFoundError(
      `cannot run "${command}": ${command.includes('/') ? 'no executable file there' : 'no such command in PATH'}`,
    );
  }
}

function reasonOf(code: string): string {
  return code === 'ENOENT' ? 'no such command' : 'permission denied';
}
