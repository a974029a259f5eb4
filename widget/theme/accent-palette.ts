import { INK, readableOn, resolveColor, textOn, toHex, WHITE } from './contrast.ts';

/** The chat's two backgrounds, light and dark theme (styles.css `--bg`). */
const LIGHT_BACKGROUND = WHITE;
const DARK_BACKGROUND = INK;

/**
 * The CSS variables for an accent colour: the accent as a fill (header, own messages, buttons), the
 * text on it (white or ink, whichever contrasts more), and the accent as text / outlines on each
 * theme's background, adjusted until it reaches 4.5:1.
 */
export function accentPalette(color: string, fallback = '#2563eb'): Record<string, string> {
  const accent = resolveColor(color) ?? resolveColor(fallback) ?? [37, 99, 235];
  return {
    '--accent': toHex(accent),
    '--on-accent': toHex(textOn(accent)),
    '--accent-ink-light': toHex(readableOn(accent, LIGHT_BACKGROUND)),
    '--accent-ink-dark': toHex(readableOn(accent, DARK_BACKGROUND)),
  };
}
