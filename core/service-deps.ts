import type { EntityManager } from '../db/orm.ts';
import type { EventBus } from './event-bus.ts';
import type { Outbox } from './outbox.ts';

/** What the domain services are built from (see services.ts). */
export type ServiceDeps = {
  em: EntityManager;
  bus: EventBus;
  outbox: Outbox;
  /** `ASSIGNMENT=auto`: waiting tickets are offered to agents (core/assignment.service.ts). */
  autoAssign?: boolean;
};
