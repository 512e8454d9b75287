import type { JsonObject } from './events.js';

// Crypto-shredding (docs/lifecycle.md): a declared personal field is stored as an envelope
//
//   {"eventlite:sealed":"<keyId>.<iv>.<ciphertext>.<tag>"}      (base64url parts)
//
// holding the field's JSON value encrypted with AES-256-GCM under its subject's key. Every read
// opens it with the key; once `forget` has deleted the key it reads as "[forgotten]". The
// format alone is here: the writer seals (src/app/seal.ts) and the adapters open
// (src/store/crypto.ts), with node:crypto at the edge.

export const SEALED_KEY = 'eventlite:sealed';
/** What an envelope's JSON text starts with: JSON.stringify writes no spaces. */
const MARKER = `{"${SEALED_KEY}":"`;
export const FORGOTTEN = '[forgotten]';
const KEY_ID = /^[0-9a-f]{16}$/;

/** A subject's key: 32 bytes for AES-256, named by `keyId` in every envelope it sealed. */
export interface SubjectKey {
  keyId: string;
  subject: string;
  key: Uint8Array;
}

export function isKeyId(text: unknown): text is string {
  return typeof text === 'string' && KEY_ID.test(text);
}

/** The cipher: AES-256-GCM with the key id as additional data, a 12-byte IV per value. */
export const SEAL_CIPHER = 'aes-256-gcm';

/** A sealed value's parts, as the cipher made them. */
export interface EnvelopeParts {
  keyId: string;
  iv: Uint8Array;
  body: Uint8Array;
  tag: Uint8Array;
}

/** The stored form of a sealed value. */
export function envelope(parts: EnvelopeParts): JsonObject {
  const { keyId, iv, body, tag } = parts;
  return { [SEALED_KEY]: [keyId, base64url(iv), base64url(body), base64url(tag)].join('.') };
}

/** Whether `value` is an envelope (a field already sealed). */
export function isSealed(value: unknown): boolean {
  return envelopeParts(value) !== undefined;
}

/** A cheap look at stored JSON text: false means it holds no envelope. */
export function mayHoldSealed(json: string): boolean {
  return json.includes(MARKER);
}

/** What the stored JSON text of a field sealed with `keyId` contains: how `forget` finds it. */
export function sealedMarker(keyId: string): string {
  return `${MARKER}${keyId}.`;
}

/** The ids of the keys the envelopes in `json` were sealed with. */
export function sealedKeyIds(json: string, into = new Set<string>()): Set<string> {
  for (let at = json.indexOf(MARKER); at !== -1; at = json.indexOf(MARKER, at + 1)) {
    const keyId = json.slice(at + MARKER.length, at + MARKER.length + 16);
    if (isKeyId(keyId)) into.add(keyId);
  }
  return into;
}

/**
 * `json` with every envelope replaced by what `open` makes of it: its value, or "[forgotten]"
 * when the store no longer holds its key.
 */
export function openSealedJson(json: string, open: (parts: EnvelopeParts) => unknown): string {
  if (!mayHoldSealed(json)) return json;
  return JSON.stringify(openWithin(JSON.parse(json) as unknown, open));
}

function openWithin(value: unknown, open: (parts: EnvelopeParts) => unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  const parts = envelopeParts(value);
  if (parts) return open(parts);
  if (Array.isArray(value)) return value.map((item) => openWithin(item, open));
  const opened: Record<string, unknown> = {};
  for (const [name, item] of Object.entries(value)) {
    Object.defineProperty(opened, name, {
      value: openWithin(item, open),
      writable: true,
      enumerable: true,
      configurable: true,
    });
  }
  return opened;
}

/** The parts of an envelope, or undefined when `value` is not one. */
export function envelopeParts(value: unknown): EnvelopeParts | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1 || keys[0] !== SEALED_KEY) return undefined;
  const text = (value as Record<string, unknown>)[SEALED_KEY];
  if (typeof text !== 'string') return undefined;
  const [keyId, iv, body, tag, ...rest] = text.split('.');
  if (!isKeyId(keyId) || iv === undefined || body === undefined || tag === undefined) {
    return undefined;
  }
  if (rest.length > 0) return undefined;
  return {
    keyId,
    iv: Buffer.from(iv, 'base64url'),
    body: Buffer.from(body, 'base64url'),
    tag: Buffer.from(tag, 'base64url'),
  };
}

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}
