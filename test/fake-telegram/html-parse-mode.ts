import { badRequest } from './api-error.ts';
import type { MessageEntity } from './types.ts';

/**
 * `parse_mode: 'HTML'` as the Bot API documents it, deliberately strict: only Telegram's tags,
 * balanced, and every `<`, `>` and `&` that is not markup must be escaped (`&lt; &gt; &amp; &quot;`
 * or a numeric entity). Telegram itself forgives a stray `>` or an unknown `&name`; its docs do not,
 * and a bot that relies on that is one visitor message away from a failed send.
 * Returns the plain text and the entities Telegram would store.
 */

export interface FormattedText {
  text: string;
  entities: MessageEntity[];
}

const TAGS = new Set([
  'b',
  'strong',
  'i',
  'em',
  'u',
  'ins',
  's',
  'strike',
  'del',
  'a',
  'code',
  'pre',
  'tg-spoiler',
  'span',
  'blockquote',
  'tg-emoji',
]);

const SIMPLE_ENTITY: Record<string, MessageEntity['type']> = {
  b: 'bold',
  strong: 'bold',
  i: 'italic',
  em: 'italic',
  u: 'underline',
  ins: 'underline',
  s: 'strikethrough',
  strike: 'strikethrough',
  del: 'strikethrough',
  'tg-spoiler': 'spoiler',
  span: 'spoiler',
  code: 'code',
};

const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

interface OpenTag {
  name: string;
  attributes: Map<string, string>;
  start: number;
  /** `language-xxx` of a `<code>` directly inside `<pre>`. */
  language?: string;
}

class HtmlParser {
  private readonly source: string;
  private position = 0;
  private text = '';
  private readonly entities: MessageEntity[] = [];
  private readonly open: OpenTag[] = [];

  constructor(source: string) {
    this.source = source;
  }

  parse(): FormattedText {
    const { source } = this;
    while (this.position < source.length) {
      const char = source[this.position] as string;
      if (char === '<') {
        if (source[this.position + 1] === '/') this.endTag();
        else this.startTag();
      } else if (char === '&') {
        this.text += this.entity(true);
      } else if (char === '>') {
        this.fail(`unescaped ">" at byte offset ${this.byteOffset(this.position)}; write &gt;`);
      } else {
        this.text += char;
        this.position += 1;
      }
    }
    const unclosed = this.open.at(-1);
    if (unclosed) this.fail(`Can't find end tag corresponding to start tag "${unclosed.name}"`);
    this.entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
    return { text: this.text, entities: this.entities };
  }

  private startTag() {
    const { source } = this;
    const begin = this.position;
    this.position += 1;
    const name = this.readName().toLowerCase();
    if (!TAGS.has(name))
      this.fail(`Unsupported start tag "${name}" at byte offset ${this.byteOffset(begin)}`);
    const attributes = new Map<string, string>();
    for (;;) {
      this.skipSpaces();
      const char = source[this.position];
      if (char === undefined) this.fail(`Unclosed start tag at byte offset ${this.byteOffset(begin)}`);
      if (char === '>') {
        this.position += 1;
        break;
      }
      const attribute = this.readName().toLowerCase();
      if (!attribute) {
        this.fail(`Empty attribute name in the tag "${name}" at byte offset ${this.byteOffset(begin)}`);
      }
      this.skipSpaces();
      let value = '';
      if (source[this.position] === '=') {
        this.position += 1;
        this.skipSpaces();
        value = this.readAttributeValue(begin);
      }
      attributes.set(attribute, value);
    }
    if (name === 'span' && attributes.get('class') !== 'tg-spoiler') {
      this.fail(`Tag "span" must have class "tg-spoiler" at byte offset ${this.byteOffset(begin)}`);
    }
    if (name === 'tg-emoji' && !/^\d+$/.test(attributes.get('emoji-id') ?? '')) {
      this.fail(`Tag "tg-emoji" must have attribute "emoji-id" at byte offset ${this.byteOffset(begin)}`);
    }
    this.open.push({ name, attributes, start: this.text.length });
  }

  private endTag() {
    const { source } = this;
    const begin = this.position;
    const close = source.indexOf('>', begin);
    if (close === -1) this.fail(`Unclosed end tag at byte offset ${this.byteOffset(begin)}`);
    const name = source
      .slice(begin + 2, close)
      .trim()
      .toLowerCase();
    this.position = close + 1;
    const tag = this.open.pop();
    if (!tag) this.fail(`Unexpected end tag at byte offset ${this.byteOffset(begin)}`);
    if (tag.name !== name) {
      this.fail(
        `Unmatched end tag at byte offset ${this.byteOffset(begin)}, expected "</${tag.name}>", found "</${name}>"`,
      );
    }
    this.addEntity(tag);
  }

  private addEntity(tag: OpenTag) {
    const offset = tag.start;
    const length = this.text.length - offset;
    const parent = this.open.at(-1);
    if (tag.name === 'code' && parent?.name === 'pre') {
      const language = /^language-(.+)$/.exec(tag.attributes.get('class') ?? '')?.[1];
      if (language) parent.language = language;
      return;
    }
    if (length === 0) return;
    const simple = SIMPLE_ENTITY[tag.name];
    if (simple) {
      this.entities.push({ type: simple, offset, length } as MessageEntity);
    } else if (tag.name === 'pre') {
      this.entities.push(
        tag.language
          ? { type: 'pre', offset, length, language: tag.language }
          : { type: 'pre', offset, length },
      );
    } else if (tag.name === 'a') {
      const url = tag.attributes.get('href');
      if (url) this.entities.push({ type: 'text_link', offset, length, url });
    } else if (tag.name === 'blockquote') {
      const type = tag.attributes.has('expandable') ? 'expandable_blockquote' : 'blockquote';
      this.entities.push({ type, offset, length });
    } else if (tag.name === 'tg-emoji') {
      this.entities.push({
        type: 'custom_emoji',
        offset,
        length,
        custom_emoji_id: tag.attributes.get('emoji-id') as string,
      });
    }
  }

  /** Decodes the entity at the current `&`; outside tags anything else is an error. */
  private entity(strict: boolean): string {
    const rest = this.source.slice(this.position, this.position + 12);
    const match = /^&(?:([a-z]+)|#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6}));/.exec(rest);
    let decoded: string | undefined;
    if (match?.[1] !== undefined) decoded = NAMED_ENTITIES[match[1]];
    else if (match?.[2] !== undefined) decoded = codePoint(Number.parseInt(match[2], 10));
    else if (match?.[3] !== undefined) decoded = codePoint(Number.parseInt(match[3], 16));
    if (match && decoded !== undefined) {
      this.position += match[0].length;
      return decoded;
    }
    if (strict) {
      this.fail(
        `unsupported or unescaped "&" at byte offset ${this.byteOffset(this.position)}; ` +
          'write &amp; (only &lt; &gt; &amp; &quot; and numeric entities are supported)',
      );
    }
    this.position += 1;
    return '&';
  }

  private readName(): string {
    const start = this.position;
    while (this.position < this.source.length && /[a-zA-Z0-9_-]/.test(this.source[this.position] as string)) {
      this.position += 1;
    }
    return this.source.slice(start, this.position);
  }

  private readAttributeValue(tagBegin: number): string {
    const { source } = this;
    const quote = source[this.position];
    let value = '';
    if (quote === '"' || quote === "'") {
      this.position += 1;
      for (;;) {
        const char = source[this.position];
        if (char === undefined) this.fail(`Unclosed start tag at byte offset ${this.byteOffset(tagBegin)}`);
        if (char === quote) {
          this.position += 1;
          return value;
        }
        if (char === '&') {
          value += this.entity(false);
        } else {
          value += char;
          this.position += 1;
        }
      }
    }
    while (this.position < source.length && !/[\s>]/.test(source[this.position] as string)) {
      value += source[this.position] === '&' ? this.entity(false) : (source[this.position++] as string);
    }
    return value;
  }

  private skipSpaces() {
    while (/\s/.test(this.source[this.position] ?? '')) this.position += 1;
  }

  private byteOffset(index: number): number {
    return Buffer.byteLength(this.source.slice(0, index), 'utf8');
  }

  private fail(reason: string): never {
    throw badRequest(`can't parse entities: ${reason}`);
  }
}

function codePoint(value: number): string | undefined {
  if (value === 0 || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) return undefined;
  return String.fromCodePoint(value);
}

export function parseHtml(source: string): FormattedText {
  return new HtmlParser(source).parse();
}
