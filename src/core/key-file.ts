import { InputError } from './errors.js';
import { parseJsonObject } from './input.js';
import { isKeyId, type SubjectKey } from './sealing.js';

// How subject keys travel with an export (`export --keys FILE`, `import --keys FILE`): a file
// of their own, one `{"keyId","subject","key"}` per line, the key in base64. Kept apart from
// the events so that the events can be copied and kept where the keys may not be.

export function keyLine(key: SubjectKey): string {
  return JSON.stringify({
    keyId: key.keyId,
    subject: key.subject,
    key: Buffer.from(key.key).toString('base64'),
  });
}

export function parseKeyLine(text: string, where: string): SubjectKey {
  const line = parseJsonObject(text, where);
  const { keyId, subject, key } = line;
  if (!isKeyId(keyId)) throw new InputError(`${where}: "keyId" must be 16 hex digits`);
  if (typeof subject !== 'string' || subject === '') {
    throw new InputError(`${where}: "subject" must be a non-empty string`);
  }
  const bytes = typeof key === 'string' ? Buffer.from(key, 'base64') : Buffer.alloc(0);
  if (bytes.length !== 32 || bytes.toString('base64') !== key) {
    throw new InputError(`${where}: "key" must be 32 bytes in base64`);
  }
  return { keyId, subject, key: bytes };
}
