import { createCipheriv, randomBytes } from 'node:crypto';
import type { JsonObject } from '../core/events.js';
import { envelope, SEAL_CIPHER, type SubjectKey } from '../core/sealing.js';

/**
 * `value` sealed under its subject's key (see src/core/sealing.ts): AES-256-GCM, a fresh
 * random IV for every value, the key id as additional data.
 */
export function sealValue(value: unknown, key: SubjectKey): JsonObject {
  const iv = randomBytes(12);
  const cipher = createCipheriv(SEAL_CIPHER, key.key, iv);
  cipher.setAAD(Buffer.from(key.keyId));
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return envelope({ keyId: key.keyId, iv, body, tag: cipher.getAuthTag() });
}
