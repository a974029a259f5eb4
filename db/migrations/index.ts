import type { Migration } from '@mikro-orm/migrations';
import { Migration20261124122436_initial } from './Migration20261124122436_initial.ts';
import { Migration20261124131108_telegram } from './Migration20261124131108_telegram.ts';
import { Migration20261130140000_reliability } from './Migration20261130140000_reliability.ts';
import { Migration20261130150000_updates } from './Migration20261130150000_updates.ts';
import { Migration20261130170000_threads } from './Migration20261130170000_threads.ts';
import { Migration20261130180000_sync } from './Migration20261130180000_sync.ts';
import { Migration20261130190000_system_events } from './Migration20261130190000_system_events.ts';
import { Migration20261130191000_page_context } from './Migration20261130191000_page_context.ts';
import { Migration20261130192000_agent_message_ids } from './Migration20261130192000_agent_message_ids.ts';
import { Migration20261201100000_presence } from './Migration20261201100000_presence.ts';
import { Migration20261201110000_canned_notes } from './Migration20261201110000_canned_notes.ts';
import { Migration20261201120000_tags_search } from './Migration20261201120000_tags_search.ts';
import { Migration20261201130000_offers } from './Migration20261201130000_offers.ts';
import { Migration20261201140000_search_fixes } from './Migration20261201140000_search_fixes.ts';
import { Migration20261201150000_cost_growth } from './Migration20261201150000_cost_growth.ts';
import { Migration20261201150500_message_revisions } from './Migration20261201150500_message_revisions.ts';
import { Migration20261201160000_shared_limits } from './Migration20261201160000_shared_limits.ts';
import { Migration20261201160100_media_in_database } from './Migration20261201160100_media_in_database.ts';
import { Migration20261201160200_ticket_versions_client_ids } from './Migration20261201160200_ticket_versions_client_ids.ts';

/** Every migration, in order. `npm run db:migration:create -- NAME` writes a new file; add its class here. */
export const migrationsList: (new (...args: ConstructorParameters<typeof Migration>) => Migration)[] = [
  Migration20261124122436_initial,
  Migration20261124131108_telegram,
  Migration20261130140000_reliability,
  Migration20261130150000_updates,
  Migration20261130170000_threads,
  Migration20261130180000_sync,
  Migration20261130190000_system_events,
  Migration20261130191000_page_context,
  Migration20261130192000_agent_message_ids,
  Migration20261201100000_presence,
  Migration20261201110000_canned_notes,
  Migration20261201120000_tags_search,
  Migration20261201130000_offers,
  Migration20261201140000_search_fixes,
  Migration20261201150000_cost_growth,
  Migration20261201150500_message_revisions,
  Migration20261201160000_shared_limits,
  Migration20261201160100_media_in_database,
  Migration20261201160200_ticket_versions_client_ids,
];
