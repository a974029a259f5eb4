import { inlineMethods } from '../inline-mode.ts';
import { botMethods } from './bot-methods.ts';
import { callbackMethods } from './callback-methods.ts';
import { chatMethods } from './chat-methods.ts';
import { deleteMethods } from './delete-methods.ts';
import { locationMethods } from './location-methods.ts';
import { mediaMethods } from './media-methods.ts';
import { messageMethods } from './message-methods.ts';
import type { MethodHandler } from './method.ts';
import { reactionMethods } from './reaction-methods.ts';
import { topicMethods } from './topic-methods.ts';
import { updateMethods } from './update-methods.ts';

export type { MethodContext } from './method.ts';

const ALL_METHODS = {
  ...botMethods,
  ...updateMethods,
  ...messageMethods,
  ...mediaMethods,
  ...locationMethods,
  ...deleteMethods,
  ...reactionMethods,
  ...topicMethods,
  ...chatMethods,
  ...callbackMethods,
  ...inlineMethods,
};

const BY_LOWERCASE_NAME = new Map<string, { name: string; handler: MethodHandler }>(
  Object.entries(ALL_METHODS).map(([name, handler]) => [name.toLowerCase(), { name, handler }]),
);

/** A Bot API method by name; Telegram matches method names case-insensitively. */
export function findMethod(name: string): { name: string; handler: MethodHandler } | undefined {
  return BY_LOWERCASE_NAME.get(name.toLowerCase());
}
