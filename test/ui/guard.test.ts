import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { commandExamples } from '../../src/ui/examples.js';
import { bearerMatches, newToken, refusal, servedAddresses } from '../../src/ui/guard.js';

// Who the page's server answers: its own address in Host (localhost too on loopback), the page's
// own origin, and for writes the token.

const requestWith = (headers: Record<string, string>) =>
  ({ headers }) as unknown as IncomingMessage;

describe('refusal', () => {
  const served = servedAddresses('127.0.0.1', 4000);

  it('lets in the served address and localhost, with or without the page as Origin', () => {
    expect(refusal(requestWith({ host: '127.0.0.1:4000' }), served)).toBeUndefined();
    expect(refusal(requestWith({ host: 'LOCALHOST:4000' }), served)).toBeUndefined();
    const page = { host: '127.0.0.1:4000', origin: 'http://127.0.0.1:4000' };
    expect(refusal(requestWith(page), served)).toBeUndefined();
  });

  it('refuses another name (DNS rebinding), another port, no Host, another Origin', () => {
    for (const host of ['evil.example:4000', '127.0.0.1:4001', '127.0.0.1']) {
      expect(refusal(requestWith({ host }), served)).toMatch(/answers to 127\.0\.0\.1:4000/);
    }
    expect(refusal(requestWith({}), served)).toMatch(/without a Host/);
    const foreign = { host: '127.0.0.1:4000', origin: 'http://evil.example' };
    expect(refusal(requestWith(foreign), served)).toBe(
      'requests from http://evil.example are refused',
    );
  });

  it('serves IPv6 addresses in brackets', () => {
    const v6 = servedAddresses('::1', 4000);
    expect(refusal(requestWith({ host: '[::1]:4000' }), v6)).toBeUndefined();
    expect(refusal(requestWith({ host: 'localhost:4000' }), v6)).toBeUndefined();
  });
});

describe('bearerMatches', () => {
  it('takes exactly the token, as a Bearer', () => {
    const token = newToken();
    expect(token).toMatch(/^[\w-]{32}$/);
    expect(bearerMatches(requestWith({ authorization: `Bearer ${token}` }), token)).toBe(true);
    expect(bearerMatches(requestWith({ authorization: `bearer ${token}` }), token)).toBe(true);
    expect(bearerMatches(requestWith({ authorization: `Bearer ${token}x` }), token)).toBe(false);
    expect(bearerMatches(requestWith({ authorization: token }), token)).toBe(false);
    expect(bearerMatches(requestWith({}), token)).toBe(false);
  });
});

describe('commandExamples', () => {
  it("takes the first data of each command, skipping comments, events and lines that aren't JSON", () => {
    const lines = [
      '# a comment',
      '{"stream":"account-a","type":"Noted","data":{}}',
      'not json',
      '{"command":"Deposit","data":{"accountId":"a","amount":5}}',
      '{"command":"Deposit","data":{"accountId":"b","amount":9}}',
      '{"command":"Close"}',
    ].map((text, index) => ({ number: index + 1, text }));
    expect([...commandExamples(lines)]).toEqual([['Deposit', { accountId: 'a', amount: 5 }]]);
  });
});
