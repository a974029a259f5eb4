import type { ExportFormat } from '../contract/agent-api.ts';
import { renderTranscript, type TranscriptOptions } from '../core/transcript.ts';
import type { VisitorExport } from '../core/visitor-data.service.ts';

type Ctx = { body: unknown; type: string; set(field: string, value: string): void };

/**
 * Answers with a visitor's export as a download: JSON, or the plain-text transcript. Never cached (it is
 * personal data).
 */
export function sendExport(
  ctx: Ctx,
  data: VisitorExport,
  format: ExportFormat,
  options: TranscriptOptions & { audience: 'visitor' | 'agent' },
) {
  const name = `conversation-${data.session.id.slice(0, 8)}`;
  ctx.set('Cache-Control', 'no-store');
  if (format === 'text') {
    ctx.type = 'text/plain; charset=utf-8';
    ctx.set('Content-Disposition', `attachment; filename="${name}.txt"`);
    ctx.body = renderTranscript(data, options);
    return;
  }
  ctx.type = 'application/json; charset=utf-8';
  ctx.set('Content-Disposition', `attachment; filename="${name}.json"`);
  ctx.body = data;
}

/** The erase routes' answer (EraseResponse). */
export const erasedBody = (result: { sessionId: string; ticketIds: number[]; messages: number }) => ({
  erased: { session_id: result.sessionId, tickets: result.ticketIds, messages: result.messages },
});
