import type { ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { once } from 'node:events';
import { startCli } from './cli.js';

// `eventlite ui` as a user starts it, spawned, and what a test needs to talk to it: its address
// and token from the first line it prints, plain HTTP requests with any headers (fetch would
// not send a Host of our choosing), and a reader of its server-sent events.

export interface RunningUi {
  /** `http://127.0.0.1:PORT/` */
  base: string;
  port: number;
  token: string | undefined;
  child: ChildProcess;
  /** What the server wrote on stderr so far. */
  stderr(): string;
  /** SIGTERM, then waits for the process to end. */
  stop(): Promise<void>;
}

export async function startUi(
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string | undefined> },
): Promise<RunningUi> {
  const child = startCli(['ui', ...args], options);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let stdout = '';
  child.stdout!.setEncoding('utf8');
  const line = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: string) => {
      stdout += chunk;
      if (stdout.includes('\n')) resolve(stdout.slice(0, stdout.indexOf('\n')));
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`eventlite ui exited ${code}: ${stderr}`)));
  });
  const url = new URL(line);
  const token = new URLSearchParams(url.hash.slice(1)).get('token') ?? undefined;
  url.hash = '';
  return {
    base: url.toString(),
    port: Number(url.port),
    token,
    child,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface HttpAnswer {
  status: number;
  body: string;
}

/** One request with exactly the headers given (a Host of the test's choosing included). */
export function send(
  base: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, base),
      { method: options.method ?? 'GET', headers: options.headers },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Server-sent events as they come: `{id, data}` each, until `stop()`. */
export function readEvents(
  base: string,
  headers: Record<string, string> = {},
  path = '/events',
): { events: { id: string; data: string }[]; ended: Promise<void>; stop(): void } {
  const events: { id: string; data: string }[] = [];
  let buffer = '';
  let stopRequest = () => {};
  const ended = new Promise<void>((resolve) => {
    const req = request(new URL(path, base), { headers }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = Object.fromEntries(
            message
              .split('\n')
              .filter((field) => !field.startsWith(':') && field.includes(': '))
              .map((field) => [
                field.slice(0, field.indexOf(': ')),
                field.slice(field.indexOf(': ') + 2),
              ]),
          );
          if (fields.data !== undefined) events.push({ id: fields.id ?? '', data: fields.data });
        }
      });
      res.on('end', resolve);
      res.on('error', () => resolve());
    });
    req.on('error', () => resolve());
    req.end();
    stopRequest = () => req.destroy();
  });
  return { events, ended, stop: () => stopRequest() };
}

/** Polls `check` until it holds (or throws after `ms`). */
export async function eventually(
  check: () => boolean,
  ms = 20_000,
  what = 'the condition',
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
