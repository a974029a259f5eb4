import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Forbidden, InvalidText, NotFound, TicketAlreadyClaimed, TicketClosed } from '../core/errors.ts';
import { createInProcessEventBus } from '../core/event-bus.ts';
import { createServices, type Services } from '../core/services.ts';
import type { Orm } from '../db/orm.ts';
import { databaseKind } from './support/database.ts';
import { createTestOrm, inContext } from './support/test-app.ts';

let orm: Orm;
let close: () => Promise<void>;
let services: Services;

beforeAll(async () => {
  ({ orm, close } = await createTestOrm());
  services = createServices({ em: orm.em, bus: createInProcessEventBus() });
});
afterAll(() => close?.());

const run = <T>(fn: () => Promise<T>) => inContext(orm, fn);
let nextChatId = 5000;
const newAgent = (name: string) => run(() => services.agents.upsert({ tgChatId: nextChatId++, name }));
const newTicket = async () => {
  const sessionId = await run(() => services.sessions.createSession({}));
  const sent = await run(() => services.messages.sendVisitorMessage({ sessionId, body: 'Help please' }));
  return { sessionId, ticketId: sent.ticket.id };
};
const ownerOf = async (sessionId: string) =>
  (await run(() => services.sessions.getConversation(sessionId))).ticket?.agent_name ?? null;

describe(`hand-over keeps exactly one owner (${databaseKind})`, () => {
  it('handing back to the queue while 10 agents claim: exactly one of them owns it', async () => {
    const holder = await newAgent('Holder');
    const others = await Promise.all(Array.from({ length: 10 }, (_, i) => newAgent(`Racer${i}`)));
    const { sessionId, ticketId } = await newTicket();
    await run(() => services.tickets.claim(ticketId, holder.id));
    const results = await Promise.allSettled([
      run(() => services.tickets.handOver(ticketId, holder.id, { to: 'queue' })),
      ...others.map((agent) => run(() => services.tickets.claim(ticketId, agent.id))),
    ]);
    expect(results[0]?.status).toBe('fulfilled');
    const claims = results.slice(1);
    // Claims that ran before the hand-over lost to the holder; of those after it, one won.
    expect(claims.filter((r) => r.status === 'fulfilled').length).toBeLessThanOrEqual(1);
    for (const lost of claims.filter((r): r is PromiseRejectedResult => r.status === 'rejected')) {
      expect(lost.reason).toBeInstanceOf(TicketAlreadyClaimed);
    }
    const owner = await ownerOf(sessionId);
    const winner = claims.findIndex((r) => r.status === 'fulfilled');
    expect(owner).toBe(winner === -1 ? null : others[winner]?.name);
  });

  it('two hand-overs by the holder at once (to Bob and to Carol): one wins, the other is refused', async () => {
    const alice = await newAgent('Alice2');
    const bob = await newAgent('Bob2');
    const carol = await newAgent('Carol2');
    const { sessionId, ticketId } = await newTicket();
    await run(() => services.tickets.claim(ticketId, alice.id));
    const results = await Promise.allSettled([
      run(() => services.tickets.handOver(ticketId, alice.id, { to: 'agent', agentId: bob.id })),
      run(() => services.tickets.handOver(ticketId, alice.id, { to: 'agent', agentId: carol.id })),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(
      Forbidden,
    );
    const owner = await ownerOf(sessionId);
    expect([bob.name, carol.name]).toContain(owner);
    // The new owner can hand it on; Alice no longer can.
    const ownerId = owner === bob.name ? bob.id : carol.id;
    await expect(
      run(() => services.tickets.handOver(ticketId, alice.id, { to: 'queue' })),
    ).rejects.toBeInstanceOf(Forbidden);
    await run(() => services.tickets.handOver(ticketId, ownerId, { to: 'agent', agentId: alice.id }));
    expect(await ownerOf(sessionId)).toBe(alice.name);
  });

  it('refuses what makes no sense, changing nothing', async () => {
    const dana = await newAgent('Dana');
    const erin = await newAgent('Erin');
    const { sessionId, ticketId } = await newTicket();
    await expect(
      run(() => services.tickets.handOver(ticketId, dana.id, { to: 'queue' })),
    ).rejects.toBeInstanceOf(Forbidden); // unclaimed: nobody holds it
    await run(() => services.tickets.claim(ticketId, dana.id));
    await expect(
      run(() => services.tickets.handOver(ticketId, dana.id, { to: 'agent', agentId: dana.id })),
    ).rejects.toBeInstanceOf(InvalidText);
    await expect(
      run(() => services.tickets.handOver(ticketId, dana.id, { to: 'agent', agentId: 987_654 })),
    ).rejects.toBeInstanceOf(NotFound);
    await expect(
      run(() =>
        services.tickets.handOver(ticketId, dana.id, { to: 'agent', agentId: erin.id }, 'x'.repeat(1001)),
      ),
    ).rejects.toBeInstanceOf(InvalidText);
    expect(await ownerOf(sessionId)).toBe(dana.name);
    await run(() => services.tickets.close(ticketId, { kind: 'agent', agentId: dana.id }));
    await expect(
      run(() => services.tickets.handOver(ticketId, dana.id, { to: 'agent', agentId: erin.id })),
    ).rejects.toBeInstanceOf(TicketClosed);
    const messages = (await run(() => services.sessions.getConversation(sessionId))).messages;
    expect(messages.filter((m) => m.sender === 'system').map((m) => m.body)).toEqual([
      'Dana joined the conversation',
      'Conversation closed by Dana',
    ]);
  });
});
