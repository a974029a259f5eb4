const URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]}]/gi;

/**
 * Text with its http(s) links made clickable. React escapes everything; only URLs that parse as http(s)
 * become links (so `javascript:` never does), and they open in a new tab without an opener.
 */
export function LinkifiedText({ text }: { text: string }) {
  const parts: (string | { href: string; label: string })[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const index = match.index ?? 0;
    const href = safeHref(match[0]);
    if (!href) continue;
    parts.push(text.slice(last, index), { href, label: match[0] });
    last = index + match[0].length;
  }
  parts.push(text.slice(last));
  return (
    <>
      {parts.map((part, index) =>
        typeof part === 'string' ? (
          part
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one text never reorder
          <a key={index} href={part.href} target="_blank" rel="noopener noreferrer nofollow">
            {part.label}
          </a>
        ),
      )}
    </>
  );
}

function safeHref(candidate: string) {
  try {
    const url = new URL(candidate);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}
