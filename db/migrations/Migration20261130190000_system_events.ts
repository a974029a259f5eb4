import { Migration } from '@mikro-orm/migrations';

/**
 * System messages carry what happened as a code with parameters (`system_event`: `{ code, params }`), so that
 * clients word them in the visitor's language. Existing system messages get theirs from the English text
 * the server wrote; a text not recognised keeps none (clients show its body).
 */
export class Migration20261130190000_system_events extends Migration {
  override name = 'Migration20261130190000_system_events';

  override up(): void | Promise<void> {
    this.addSql(`alter table "messages" add "system_event" jsonb null;`);
    this.addSql(
      `update "messages" set "system_event" = '{"code":"closed_by_visitor","params":{}}'::jsonb
        where "sender" = 'system' and "body" = 'Conversation closed by the visitor';`,
    );
    this.addSql(
      `update "messages" set "system_event" = jsonb_build_object('code', 'closed_by_agent', 'params',
          jsonb_build_object('agent_name', substring("body" from '^Conversation closed by (.+)$')))
        where "sender" = 'system' and "system_event" is null and "body" ~ '^Conversation closed by .+$';`,
    );
    this.addSql(
      `update "messages" set "system_event" = jsonb_build_object('code', 'agent_joined', 'params',
          jsonb_build_object('agent_name', substring("body" from '^(.+) joined the conversation$')))
        where "sender" = 'system' and "system_event" is null and "body" ~ '^.+ joined the conversation$';`,
    );
    this.addSql(
      `update "messages" set "system_event" = '{"code":"contact_requested","params":{}}'::jsonb
        where "sender" = 'system' and "system_event" is null
          and "body" = 'All our agents are busy right now. Leave your email or phone number and we will get back to you.';`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "messages" drop column "system_event";`);
  }
}
