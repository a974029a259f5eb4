import { badRequest } from './api-error.ts';
import { type FormattedText, parseHtml } from './html-parse-mode.ts';
import type { MessageEntity } from './types.ts';

export const MAX_TEXT_LENGTH = 4096;
export const MAX_CAPTION_LENGTH = 1024;

/**
 * Text or caption as Telegram stores it: markup parsed (HTML strictly; Markdown modes are kept as
 * sent, not validated), surrounding whitespace trimmed, length checked after parsing.
 */
export function formatText(
  raw: unknown,
  parseMode: unknown,
  explicitEntities: unknown,
  kind: 'text' | 'caption',
): FormattedText {
  const source = raw === undefined || raw === null ? '' : String(raw);
  let formatted: FormattedText;
  const mode = typeof parseMode === 'string' ? parseMode.toLowerCase() : '';
  if (mode === 'html') {
    formatted = parseHtml(source);
  } else if (mode === '' || mode === 'markdown' || mode === 'markdownv2') {
    formatted = { text: source, entities: Array.isArray(explicitEntities) ? explicitEntities : [] };
  } else {
    throw badRequest('unsupported parse_mode');
  }
  const trimmed = trim(formatted);
  if (kind === 'text') {
    if (trimmed.text.length === 0) throw badRequest('message text is empty');
    if (trimmed.text.length > MAX_TEXT_LENGTH) throw badRequest('message is too long');
  } else if (trimmed.text.length > MAX_CAPTION_LENGTH) {
    throw badRequest('message caption is too long');
  }
  return trimmed;
}

function trim({ text, entities }: FormattedText): FormattedText {
  const start = text.length - text.trimStart().length;
  const result = text.trim();
  const kept: MessageEntity[] = [];
  for (const entity of entities) {
    const from = Math.max(entity.offset - start, 0);
    const to = Math.min(entity.offset + entity.length - start, result.length);
    if (to > from) kept.push({ ...entity, offset: from, length: to - from });
  }
  return { text: result, entities: kept };
}
