export { Agent } from './agent.entity.ts';
export { Message } from './message.entity.ts';
export { Pass } from './pass.entity.ts';
export { SupportSession } from './support-session.entity.ts';
export { Ticket } from './ticket.entity.ts';

import { Agent } from './agent.entity.ts';
import { Message } from './message.entity.ts';
import { Pass } from './pass.entity.ts';
import { SupportSession } from './support-session.entity.ts';
import { Ticket } from './ticket.entity.ts';

export const entities = [SupportSession, Agent, Ticket, Message, Pass];
