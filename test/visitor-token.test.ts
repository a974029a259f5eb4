import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createVisitorTokens } from '../server/visitor-token.ts';

const SECRET = 'token-test-secret-token-test-secret-0123';
const DAY_MS = 24 * 3600_000;

describe('visitor tokens', () => {
  it('a token verified before is refused once it expired (remembered tokens keep their expiry)', async () => {
    let clock = Date.now();
    const tokens = createVisitorTokens(SECRET, { now: () => clock });
    const sessionId = randomUUID();
    const token = await tokens.sign(sessionId);
    expect(await tokens.verify(token)).toEqual({ sessionId });
    clock += 29 * DAY_MS;
    expect(await tokens.verify(token)).toEqual({ sessionId });
    clock += 2 * DAY_MS;
    expect(await tokens.verify(token)).toBeNull();
    expect(await tokens.verify(token)).toBeNull();
  });

  it('remembers a bounded number of tokens; forgotten ones are checked again, forged ones never pass', async () => {
    const tokens = createVisitorTokens(SECRET, { remembered: 2 });
    const sessions = [randomUUID(), randomUUID(), randomUUID()];
    const signed = await Promise.all(sessions.map((id) => tokens.sign(id)));
    for (const [index, token] of signed.entries())
      expect(await tokens.verify(token)).toEqual({ sessionId: sessions[index] });
    expect(await tokens.verify(signed[0] as string)).toEqual({ sessionId: sessions[0] });
    const [header, payload] = (signed[1] as string).split('.');
    expect(await tokens.verify(`${header}.${payload}.${'A'.repeat(43)}`)).toBeNull();
    const other = createVisitorTokens('another-secret-another-secret-another-0123');
    expect(await other.verify(signed[1] as string)).toBeNull();
  });
});
