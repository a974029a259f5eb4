import type { BotCommand, MenuButton } from 'grammy/types';
import { badRequest } from '../api-error.ts';
import { scopeKey } from '../fake-state.ts';
import { optionalInteger, optionalJson, optionalString } from '../param-readers.ts';
import type { Params } from '../types.ts';
import type { MethodTable } from './method.ts';

export const botMethods: MethodTable = {
  getMe(_params, { state }) {
    return {
      ...state.bot,
      can_join_groups: true,
      can_read_all_group_messages: !state.privacyMode,
      supports_inline_queries: state.inlineMode,
      can_connect_to_business: false,
      has_main_web_app: false,
      has_topics_enabled: state.botTopics.enabled,
      allows_users_to_create_topics: state.botTopics.usersCanCreate,
      can_manage_bots: false,
      supports_join_request_queries: false,
    };
  },

  setMyCommands(params, { state }) {
    const commands = optionalJson(params, 'commands', "can't parse commands JSON object");
    if (!Array.isArray(commands)) throw badRequest("can't parse commands JSON object");
    if (commands.length > 100) throw badRequest('too many commands specified');
    for (const command of commands as Partial<BotCommand>[]) {
      if (typeof command?.command !== 'string' || !/^[a-z0-9_]{1,32}$/.test(command.command)) {
        throw badRequest('BOT_COMMAND_INVALID');
      }
      const description = command.description;
      if (typeof description !== 'string' || description.trim().length < 1 || description.length > 256) {
        throw badRequest('command description is empty or too long');
      }
    }
    state.commands.set(commandsKey(params), structuredClone(commands as BotCommand[]));
    return true;
  },

  getMyCommands(params, { state }) {
    return structuredClone(state.commands.get(commandsKey(params)) ?? []);
  },

  deleteMyCommands(params, { state }) {
    state.commands.delete(commandsKey(params));
    return true;
  },

  setChatMenuButton(params, { state }) {
    const chatId = optionalInteger(params, 'chat_id');
    if (chatId !== undefined) state.chats.apiChat(chatId);
    const button = (optionalJson(params, 'menu_button', "can't parse menu button JSON object") ?? {
      type: 'default',
    }) as MenuButton;
    validateMenuButton(button);
    state.menuButtons.set(chatId ?? 'default', structuredClone(button));
    return true;
  },

  getChatMenuButton(params, { state }) {
    const chatId = optionalInteger(params, 'chat_id');
    const own = chatId === undefined ? undefined : state.menuButtons.get(chatId);
    if (own && own.type !== 'default') return structuredClone(own);
    const fallback = state.menuButtons.get('default');
    if (fallback && fallback.type !== 'default') return structuredClone(fallback);
    return { type: 'commands' };
  },

  setMyDescription: profileSetter('description', 512),
  getMyDescription: profileGetter('description'),
  setMyShortDescription: profileSetter('short_description', 120),
  getMyShortDescription: profileGetter('short_description'),
  setMyName: profileSetter('name', 64),
  getMyName: profileGetter('name'),
};

function commandsKey(params: Params): string {
  const scope = optionalJson(params, 'scope', "can't parse BotCommandScope JSON object");
  return scopeKey(scope, optionalString(params, 'language_code'));
}

function validateMenuButton(button: MenuButton) {
  if (button.type === 'default' || button.type === 'commands') return;
  if (button.type !== 'web_app') throw badRequest('unsupported menu button type');
  if (typeof button.text !== 'string' || button.text === '') throw badRequest('menu button text is empty');
  let protocol = '';
  try {
    protocol = new URL(button.web_app?.url ?? '').protocol;
  } catch {}
  if (protocol !== 'https:') {
    throw badRequest(
      `menu button Web App URL '${button.web_app?.url}' is invalid: Only HTTPS links are allowed`,
    );
  }
}

function profileSetter(field: string, maxLength: number) {
  return (params: Params, { state }: Parameters<MethodTable[string]>[1]) => {
    const value = optionalString(params, field) ?? '';
    if (value.length > maxLength) throw badRequest(`${field} is too long`);
    state.profileTexts.set(`${field}|${optionalString(params, 'language_code') ?? ''}`, value);
    return true;
  };
}

function profileGetter(field: string) {
  return (params: Params, { state }: Parameters<MethodTable[string]>[1]) => ({
    [field]: state.profileTexts.get(`${field}|${optionalString(params, 'language_code') ?? ''}`) ?? '',
  });
}
