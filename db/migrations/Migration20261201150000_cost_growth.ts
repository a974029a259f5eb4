import { Migration } from '@mikro-orm/migrations';

/**
 * Reads whose cost must not grow with the number of tickets or messages ever (issue 15): a ticket's card
 * reads its first and latest visitor messages and their count through a partial index on visitor messages
 * by ticket; today's first replies read the agent messages since the start of the day through a partial
 * index on agent messages by time.
 */
export class Migration20261201150000_cost_growth extends Migration {
  override name = 'Migration20261201150000_cost_growth';

  override up(): void | Promise<void> {
    this.addSql(
      `create index "messages_visitor_ticket_id_id_index" on "messages" ("ticket_id", "id") where sender = 'visitor' and deleted_at is null;`,
    );
    this.addSql(
      `create index "messages_agent_created_at_index" on "messages" ("created_at") where sender = 'agent';`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index if exists "messages_visitor_ticket_id_id_index";`);
    this.addSql(`drop index if exists "messages_agent_created_at_index";`);
  }
}
