/**
 * Plain values of the agent API, with no imports: the Mini App bundles these without zod.
 * `agent-api.ts` re-exports them for the server.
 */

/** `Authorization: tma <initData>` */
export const AGENT_AUTH_SCHEME = 'tma';

/** The optional last note to the visitor when an agent closes a ticket. */
export const CLOSE_NOTE_MAX_LENGTH = 1000;

/** The optional note for the next owner when an agent hands a ticket over. */
export const HANDOVER_NOTE_MAX_LENGTH = 1000;
