import { badRequest } from '../api-error.ts';
import { chatIdParam } from '../param-readers.ts';
import { readReplyMarkup } from '../reply-markup.ts';
import type { Message, Params } from '../types.ts';
import type { MethodTable } from './method.ts';
import { inlineMarkup, placement, storeBotMessage } from './outgoing-message.ts';

export const locationMethods: MethodTable = {
  /** A point on the map (live locations are not modelled). Texts: Bot API get_location, TDLib Location.cpp. */
  sendLocation(params, { state }) {
    const record = state.chats.writableChat(chatIdParam(params));
    const latitude = coordinate(params, 'latitude');
    const longitude = coordinate(params, 'longitude');
    if (!(Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180)) {
      throw badRequest('invalid location specified');
    }
    const accuracy =
      params.horizontal_accuracy === undefined ? undefined : Number(params.horizontal_accuracy);
    const location: Message['location'] = {
      latitude,
      longitude,
      ...(accuracy ? { horizontal_accuracy: Math.min(Math.max(accuracy, 0), 1500) } : {}),
    };
    return storeBotMessage(state, record, {
      ...placement(params, record, state),
      location,
      reply_markup: inlineMarkup(readReplyMarkup(params.reply_markup, record.chat.type)),
    });
  },
};

function coordinate(params: Params, key: 'latitude' | 'longitude'): number {
  const raw = params[key];
  if (raw === undefined || raw === null || String(raw).trim() === '') throw badRequest(`${key} is empty`);
  const value = Number(raw);
  return Number.isFinite(value) ? value : 0; // the Bot API reads an unparsable number as 0
}
