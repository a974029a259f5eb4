/**
 * Colour contrast after WCAG 2.x: the text colour to put on the accent, and the accent made readable as
 * text on the chat's background. Pure functions; the loader and the chat share them.
 */
export type Rgb = [number, number, number];

export const WHITE: Rgb = [255, 255, 255];
export const BLACK: Rgb = [0, 0, 0];
/** The chat's text colour on light backgrounds (and the dark theme's background), #111827. */
export const INK: Rgb = [17, 24, 39];

/** `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa`, `rgb(…)` or `rgba(…)` as [r, g, b] (alpha ignored); else null. */
export function parseColor(value: string): Rgb | null {
  const text = value.trim();
  const hex = /^#([0-9a-f]{3,8})$/i.exec(text)?.[1];
  if (hex) {
    const full = hex.length <= 4 ? hex.replace(/./g, '$&$&') : hex;
    if (full.length !== 6 && full.length !== 8) return null;
    return [0, 2, 4].map((at) => Number.parseInt(full.slice(at, at + 2), 16)) as Rgb;
  }
  const rgb = /^rgba?\(\s*(\d+(?:\.\d+)?)[\s,]+(\d+(?:\.\d+)?)[\s,]+(\d+(?:\.\d+)?)/i.exec(text);
  return rgb ? ([1, 2, 3].map((group) => Math.min(255, Number(rgb[group]))) as Rgb) : null;
}

/** WCAG relative luminance, 0 (black) to 1 (white). */
export function luminance(color: Rgb): number {
  const [r, g, b] = color.map((channel) => {
    const c = channel / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as Rgb;
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio, 1 to 21. */
export function contrastRatio(a: Rgb, b: Rgb): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/** The text colour for an accent background: white or ink, whichever contrasts more. */
export function textOn(background: Rgb): Rgb {
  return contrastRatio(background, WHITE) >= contrastRatio(background, INK) ? WHITE : INK;
}

/**
 * The accent as text (links, chips, outlines) on a background: the accent itself when it reaches `min`
 * (4.5:1, normal text), else the accent mixed toward white (dark backgrounds) or black (light ones)
 * just enough to reach it.
 */
export function readableOn(accent: Rgb, background: Rgb, min = 4.5): Rgb {
  if (contrastRatio(accent, background) >= min) return accent;
  const toward = luminance(background) < 0.18 ? WHITE : BLACK;
  for (let step = 1; step <= 20; step++) {
    const mixed = accent.map((channel, i) =>
      Math.round(channel + ((toward[i] as number) - channel) * (step / 20)),
    ) as Rgb;
    if (contrastRatio(mixed, background) >= min) return mixed;
  }
  return toward;
}

export function toHex(color: Rgb): string {
  return `#${color.map((channel) => channel.toString(16).padStart(2, '0')).join('')}`;
}

/** Any CSS colour the browser knows (names included) as [r, g, b], through a canvas; null if unknown. */
export function resolveColor(value: string): Rgb | null {
  const direct = parseColor(value);
  if (direct) return direct;
  const context = document.createElement('canvas').getContext('2d');
  if (!context) return null;
  context.fillStyle = '#010203';
  context.fillStyle = value;
  return context.fillStyle === '#010203' ? null : parseColor(String(context.fillStyle));
}
