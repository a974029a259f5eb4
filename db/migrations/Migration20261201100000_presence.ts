import { Migration } from '@mikro-orm/migrations';

/**
 * Presence and shifts (issue 13 §1): the seed's `agents.is_online` becomes `presence` (online / away /
 * offline, what the agent chose; an agent who was online stays online), with when it was chosen, when the
 * agent was last seen, and optional working hours in the agent's time zone.
 */
export class Migration20261201100000_presence extends Migration {
  override name = 'Migration20261201100000_presence';

  override up(): void | Promise<void> {
    this.addSql(
      `alter table "agents" add "presence" text not null default 'offline', add "presence_set_at" timestamptz null, add "last_seen_at" timestamptz null, add "time_zone" varchar(64) null, add "working_hours" jsonb null;`,
    );
    this.addSql(`update "agents" set "presence" = 'online', "presence_set_at" = now() where "is_online";`);
    this.addSql(`alter table "agents" drop column "is_online";`);
    this.addSql(
      `alter table "agents" add constraint "agents_presence_check" check ("presence" in ('online', 'away', 'offline'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "agents" drop constraint "agents_presence_check";`);
    this.addSql(`alter table "agents" add "is_online" boolean not null default false;`);
    this.addSql(`update "agents" set "is_online" = ("presence" = 'online');`);
    this.addSql(
      `alter table "agents" drop column "presence", drop column "presence_set_at", drop column "last_seen_at", drop column "time_zone", drop column "working_hours";`,
    );
  }
}
