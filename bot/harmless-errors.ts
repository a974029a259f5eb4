import type { Transformer } from 'grammy';

/**
 * Telegram refusals that mean "nothing to do": an edit that changes nothing, and a callback answer that
 * came too late (Telegram already showed the user a timeout). Treated as success, so that they neither
 * fail an update (and make a webhook redeliver it) nor fail a delivery job.
 */
const HARMLESS: [RegExp, RegExp][] = [
  [/^editMessage/, /message is not modified/],
  [/^answerCallbackQuery$/, /query is too old|query ID is invalid/],
];

export const ignoreHarmlessErrors: Transformer = async (prev, method, payload, signal) => {
  const response = await prev(method, payload, signal);
  if (response.ok) return response;
  const harmless = HARMLESS.some(
    ([methods, description]) => methods.test(method) && description.test(response.description),
  );
  return harmless ? { ok: true, result: true as never } : response;
};
