import { createRequire } from 'node:module';
import { StoreError } from '../core/errors.js';
import { FORGOTTEN, SEAL_CIPHER, type EnvelopeParts, type SubjectKey } from '../core/sealing.js';

// The adapters' share of the cryptography (docs/lifecycle.md): making subjects' keys, opening
// sealed fields, hashing what a lifecycle command removes. node:crypto is loaded with the
// first use: a command that meets no sealed field and changes no event never pays for it.

type NodeCrypto = typeof import('node:crypto');
let loaded: NodeCrypto | undefined;

function nodeCrypto(): NodeCrypto {
  return (loaded ??= createRequire(import.meta.url)('node:crypto') as NodeCrypto);
}

/** A new key for `subject`: 32 random bytes, named by 8 random bytes in hex. */
export function newSubjectKey(subject: string): SubjectKey {
  const { randomBytes } = nodeCrypto();
  return { keyId: randomBytes(8).toString('hex'), subject, key: randomBytes(32) };
}

/**
 * What opens an envelope with the keys at hand: its value, or "[forgotten]" when its key is
 * not among them. An envelope that its own key cannot open is damage, not a forgotten field.
 */
export function opener(keys: ReadonlyMap<string, Uint8Array>): (parts: EnvelopeParts) => unknown {
  return (parts) => {
    const key = keys.get(parts.keyId);
    if (key === undefined) return FORGOTTEN;
    try {
      const decipher = nodeCrypto().createDecipheriv(SEAL_CIPHER, key, parts.iv);
      decipher.setAAD(Buffer.from(parts.keyId));
      decipher.setAuthTag(parts.tag);
      const text = Buffer.concat([decipher.update(parts.body), decipher.final()]).toString('utf8');
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new StoreError(
        `a sealed field (key ${parts.keyId}) does not open with its key: the event or the key is damaged`,
        { cause: error },
      );
    }
  };
}

export function sha256(): import('node:crypto').Hash {
  return nodeCrypto().createHash('sha256');
}
