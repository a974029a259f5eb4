import { badRequest } from '../api-error.ts';
import { optionalString } from '../param-readers.ts';
import type { MethodTable } from './method.ts';

export const callbackMethods: MethodTable = {
  answerCallbackQuery(params, { state }) {
    const id = optionalString(params, 'callback_query_id') ?? '';
    const query = state.callbackQueries.get(id);
    if (!query || query.answered) {
      throw badRequest('query is too old and response timeout expired or query ID is invalid');
    }
    query.answered = true;
    return true;
  },
};
