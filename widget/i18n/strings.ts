/**
 * The widget's languages: each is one file (`en.ts`, `ru.ts`) with its launcher strings and its chat
 * strings; this index lists them. Adding a language: copy `en.ts`, translate it, add it to both lists
 * below, and give it its system messages in contract/system-wording.ts (shared with the server's
 * transcripts; the widget does not compile without them). The loader imports only `launcherStrings` (and `pickLanguage`), so the chat's strings stay out of
 * the tiny embed script: the bundler drops the `chat` exports it never reads.
 */
import { chat as enChat, launcher as enLauncher } from './en.ts';
import { chat as ruChat, launcher as ruLauncher } from './ru.ts';

export type { ChatStrings, LauncherStrings } from './en.ts';

export const launcherStrings = { en: enLauncher, ru: ruLauncher };

export const chatStrings: Record<Language, typeof enChat> = { en: enChat, ru: ruChat };

export type Language = keyof typeof launcherStrings;
export const LANGUAGES = Object.keys(launcherStrings) as Language[];

/** `ru-RU` → `ru`; anything unknown → English. */
export function pickLanguage(...candidates: (string | null | undefined)[]): Language {
  for (const candidate of candidates) {
    const base = candidate?.toLowerCase().split('-')[0];
    if (base && (LANGUAGES as string[]).includes(base)) return base as Language;
  }
  return 'en';
}
