import { badRequest, conflict } from '../api-error.ts';
import { optionalBoolean, optionalInteger, optionalJson, optionalString } from '../param-readers.ts';
import type { Params } from '../types.ts';
import type { MethodTable } from './method.ts';

export const updateMethods: MethodTable = {
  async getUpdates(params, { state, signal }) {
    if (state.webhook.config) {
      throw conflict(
        "can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      );
    }
    state.polls.terminate(
      'terminated by other getUpdates request; make sure that only one bot instance is running',
    );
    const offset = optionalInteger(params, 'offset');
    const limit = Math.min(Math.max(optionalInteger(params, 'limit') ?? 100, 1), 100);
    const timeoutSeconds = Math.max(optionalInteger(params, 'timeout') ?? 0, 0);
    rememberAllowedUpdates(params, state.updates);
    state.updates.confirm(offset);
    const deadline = Date.now() + timeoutSeconds * 1000;
    for (;;) {
      const updates = state.updates.take(limit);
      const remaining = deadline - Date.now();
      if (updates.length > 0 || remaining <= 0 || signal.aborted) return updates;
      await state.polls.wait(state.updates, remaining, signal);
    }
  },

  setWebhook(params, { state }) {
    const url = optionalString(params, 'url') ?? '';
    if (url === '') {
      state.webhook.set(undefined);
      return true;
    }
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw badRequest('bad webhook: invalid URL');
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
      throw badRequest('bad webhook: An HTTPS URL must be provided for webhook');
    }
    const secretToken = optionalString(params, 'secret_token');
    if (secretToken !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secretToken)) {
      throw badRequest('bad webhook: secret token contains unallowed characters');
    }
    rememberAllowedUpdates(params, state.updates);
    if (optionalBoolean(params, 'drop_pending_updates')) state.updates.clear();
    state.polls.terminate('terminated by setWebhook request');
    state.webhook.set({ url, secretToken, maxConnections: optionalInteger(params, 'max_connections') ?? 40 });
    return true;
  },

  deleteWebhook(params, { state }) {
    if (optionalBoolean(params, 'drop_pending_updates')) state.updates.clear();
    state.webhook.set(undefined);
    return true;
  },

  getWebhookInfo(_params, { state }) {
    const { config, lastError } = state.webhook;
    const info: Record<string, unknown> = {
      url: config?.url ?? '',
      has_custom_certificate: false,
      pending_update_count: state.updates.pendingCount,
    };
    if (config) {
      info.ip_address = '127.0.0.1';
      info.max_connections = config.maxConnections;
      if (state.updates.allowedUpdates) info.allowed_updates = state.updates.allowedUpdates;
      if (lastError) {
        info.last_error_date = lastError.date;
        info.last_error_message = lastError.message;
      }
    }
    return info;
  },
};

function rememberAllowedUpdates(params: Params, updates: { allowedUpdates: string[] | undefined }) {
  const allowed = optionalJson(params, 'allowed_updates', "can't parse allowed updates JSON object");
  if (allowed === undefined) return;
  if (!Array.isArray(allowed)) throw badRequest("can't parse allowed updates JSON object");
  updates.allowedUpdates = allowed.length ? allowed.map(String) : undefined;
}
