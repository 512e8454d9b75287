import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { networkInterfaces } from 'node:os';

// Who may talk to the page's server. A web page in the same browser can send requests to
// 127.0.0.1, and a site whose name resolves to 127.0.0.1 (DNS rebinding) can even read the
// answers: so a request must name this server in its Host (an attacker's name never matches),
// and one that says where it comes from (Origin) must come from this page. Writing takes more:
// the token printed on the terminal, which no other page can know.

/** The Host values (`127.0.0.1:4000`) and origins (`http://127.0.0.1:4000`) this server answers to. */
export interface Served {
  hosts: ReadonlySet<string>;
  origins: ReadonlySet<string>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const EVERY_ADDRESS = new Set(['0.0.0.0', '::']);

/**
 * The names the server at `host`:`port` is reached by: that address; on a loopback address also
 * `localhost`; when bound to every address, each address of the machine's interfaces. Names
 * other than `localhost` are never taken: those are what DNS rebinding would send.
 */
export function servedAddresses(host: string, port: number): Served {
  const addresses = new Set([host]);
  if (LOOPBACK.has(host)) addresses.add('localhost');
  if (EVERY_ADDRESS.has(host)) {
    addresses.add('localhost');
    for (const entries of Object.values(networkInterfaces())) {
      for (const entry of entries ?? []) addresses.add(entry.address);
    }
  }
  const hosts = [...addresses].map((address) =>
    address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`,
  );
  return {
    hosts: new Set(hosts),
    origins: new Set(hosts.map((hostAndPort) => `http://${hostAndPort}`)),
  };
}

/** Why the request is refused (403), or undefined when it may go on. */
export function refusal(request: IncomingMessage, served: Served): string | undefined {
  const host = request.headers.host?.toLowerCase();
  if (host === undefined || !served.hosts.has(host)) {
    return `this server answers to ${[...served.hosts][0]}, not ${host ?? 'a request without a Host'}`;
  }
  const origin = request.headers.origin;
  if (origin !== undefined && !served.origins.has(origin.toLowerCase())) {
    return `requests from ${origin} are refused`;
  }
  return undefined;
}

/** A token for `Authorization: Bearer …`: 24 random bytes, URL-safe. */
export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Whether the request carries `Authorization: Bearer <token>` (compared in constant time). */
export function bearerMatches(request: IncomingMessage, token: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  if (!match) return false;
  const given = Buffer.from(match[1]!);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
