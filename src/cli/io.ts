import type { Readable } from 'node:stream';
import type { OutStream } from './output/fd-stream.js';

/**
 * Everything the program touches of the process, passed in so that it can be driven in
 * process by tests: streams, environment and working folder.
 */
export interface CliIo {
  stdout: OutStream;
  stderr: OutStream;
  stdin: Readable & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  cwd: string;
}
