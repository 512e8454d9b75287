import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppContext } from '../app/context.js';
import type { DomainFlow } from '../app/diagram.js';
import type { Line } from '../app/lines.js';
import type { Locations } from '../app/open.js';
import { InputError } from '../core/errors.js';
import type { JsonObject } from '../core/events.js';
import {
  overview,
  queryReadModels,
  runCommand,
  streamDetail,
  streamsList,
  type About,
} from './api.js';
import { loadAssets } from './assets.js';
import { startAfter, streamEvents } from './event-stream.js';
import { bearerMatches, newToken, refusal, servedAddresses, type Served } from './guard.js';
import { messageOf, readJsonBody, sendFailure, sendJson, sendRefusal } from './http.js';
import { LiveLog } from './live.js';
import { ReplaySession } from './replay-session.js';

// `eventlite ui`: one local page over Node's own http. The fixed surface: GET / (the page),
// GET /events (server-sent events), POST /commands; and the page's own JSON under /api/.
// Every request must name this server in its Host (403 otherwise); writing (POST /commands,
// POST /api/replay/next) takes the token printed on the terminal (401 without it).

export interface UiOptions {
  host: string;
  /** 0: any free port. */
  port: number;
  /** Follows the log and reads the view: a connection of its own (see LiveOptions.ctx). */
  reader: AppContext;
  /** Runs commands and the scenario's lines. */
  writer: AppContext;
  /** Where `query` would look: the query box opens the read models as it does. */
  locations: Locations;
  readLocation: string;
  about: Omit<About, 'allowExec' | 'runProjections' | 'replay'>;
  allowExec: boolean;
  runProjections: boolean;
  /** Opens the read models once they exist, when the server started without them. */
  openRead?: () => Promise<AppContext['read']>;
  replay?: { source: string; lines: Line[] };
  /** An example of each command's data, for the command box when its schema gives none. */
  examples: ReadonlyMap<string, JsonObject>;
  /** The flow as an SVG picture: `diagram --format svg`'s drawing, handed in by the CLI. */
  drawFlow: (flow: DomainFlow) => string;
  pollMs?: number;
  onError: (error: unknown) => void;
}

export interface UiServer {
  /** `http://127.0.0.1:4000/` */
  url: string;
  /** Present when the server can write (--allow-exec or --replay). */
  token?: string;
  close(): Promise<void>;
}

export async function startUiServer(options: UiOptions): Promise<UiServer> {
  const assets = loadAssets();
  const stop = new AbortController();
  const live = await LiveLog.start({
    ctx: options.reader,
    runProjections: options.runProjections,
    openRead: options.openRead,
    pollMs: options.pollMs ?? 100,
    rowLimit: 500,
    signal: stop.signal,
    onError: options.onError,
  });
  const replay =
    options.replay &&
    new ReplaySession(
      options.writer,
      live,
      options.replay.source,
      options.replay.lines,
      options.runProjections,
      options.onError,
    );
  const token = options.allowExec || replay ? newToken() : undefined;
  const about: About = {
    ...options.about,
    allowExec: options.allowExec,
    runProjections: options.runProjections,
    replay: options.replay?.source ?? null,
  };
  let served: Served = servedAddresses(options.host, options.port);

  const routes: Record<
    string,
    (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<void>
  > = {
    'GET /events': (request, response, url) =>
      streamEvents(request, response, live, options.reader, startAfter(request, url)),
    'POST /commands': async (request, response) => {
      if (!options.allowExec) {
        sendRefusal(response, 403, 'running commands is off: start eventlite ui with --allow-exec');
        return;
      }
      if (!authorized(request, response)) return;
      sendJson(response, 200, await runCommand(options.writer, await readJsonBody(request)));
    },
    'GET /api/overview': async (_request, response) =>
      sendJson(
        response,
        200,
        await overview(options.reader, about, options.examples, options.drawFlow),
      ),
    'GET /api/view': async (request, response, url) => {
      const after = Number(url.searchParams.get('after') ?? -1);
      const gone = new AbortController();
      response.on('close', () => gone.abort());
      sendJson(
        response,
        200,
        await live.nextView(Number.isFinite(after) ? after : -1, gone.signal),
      );
    },
    'GET /api/streams': async (_request, response, url) =>
      sendJson(response, 200, await streamsList(options.reader, url)),
    'GET /api/stream': async (_request, response, url) =>
      sendJson(response, 200, await streamDetail(options.reader, url)),
    'POST /api/query': async (request, response) =>
      sendJson(
        response,
        200,
        await queryReadModels(options.locations, options.readLocation, await readJsonBody(request)),
      ),
    'GET /api/replay': async (_request, response) => {
      if (!replay) throw new InputError('no scenario: start eventlite ui with --replay FILE');
      sendJson(response, 200, replay.state());
    },
    'POST /api/replay/next': async (request, response) => {
      if (!replay) throw new InputError('no scenario: start eventlite ui with --replay FILE');
      if (!authorized(request, response)) return;
      sendJson(response, 200, await replay.next());
    },
  };

  function authorized(request: IncomingMessage, response: ServerResponse): boolean {
    if (token !== undefined && bearerMatches(request, token)) return true;
    response.setHeader('www-authenticate', 'Bearer');
    sendRefusal(
      response,
      401,
      'send the token printed on the terminal: Authorization: Bearer TOKEN',
    );
    return false;
  }

  const server = createServer((request, response) => {
    const refused = refusal(request, served);
    if (refused !== undefined) return sendRefusal(response, 403, refused);
    const url = new URL(request.url ?? '/', 'http://localhost');
    const asset = request.method === 'GET' ? assets.get(url.pathname) : undefined;
    if (asset) {
      response.writeHead(200, {
        'content-type': asset.type,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        // Nothing but this server: the page works with no network and loads nothing else.
        'content-security-policy':
          "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
      });
      return response.end(asset.body);
    }
    const route = routes[`${request.method} ${url.pathname}`];
    if (!route) {
      const known = Object.keys(routes).some((key) => key.endsWith(` ${url.pathname}`));
      return sendRefusal(response, known ? 405 : 404, `no ${request.method} ${url.pathname} here`);
    }
    route(request, response, url).catch((error: unknown) => {
      if (response.headersSent) {
        options.onError(error);
        response.end();
        return;
      }
      // The server's own failures (a domain's code that threw, a store gone) are also told on
      // the terminal, where the one running the page looks for them; refusals are the page's.
      if (sendFailure(response, error) >= 500) {
        options.onError(new Error(`${request.method} ${url.pathname}: ${messageOf(error)}`));
      }
    });
  });

  try {
    await listen(server, options.host, options.port);
  } catch (error) {
    stop.abort();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  served = servedAddresses(options.host, port);
  const hostInUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${hostInUrl}:${port}/`,
    token,
    close: async () => {
      stop.abort();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function listen(
  server: ReturnType<typeof createServer>,
  host: string,
  port: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(
          new InputError(
            `port ${port} on ${host} is in use; choose another with --port (0 takes any free one)`,
          ),
        );
      } else if (error.code === 'EACCES') {
        reject(
          new InputError(
            `port ${port} on ${host} may not be used by this user; choose another with --port`,
          ),
        );
      } else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') {
        reject(new InputError(`cannot listen on ${host}: no such address on this machine`));
      } else reject(error);
    });
    server.listen(port, host, () => resolve());
  });
}
