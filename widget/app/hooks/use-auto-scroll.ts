import { useCallback, useEffect, useRef } from 'react';

/** Closer than this to the end counts as "at the end" (the reader has not scrolled up to read). */
const PINNED_PX = 48;

/**
 * Keeps a scrolling conversation at its newest message whenever anything changes its size: a message
 * added, an image that finished loading, a card that appeared, the window or the on-screen keyboard
 * (visualViewport) resizing it. It stays put while the reader has scrolled up; `scrollToEnd()` brings
 * it back (after the visitor sends). The element's first child holds the content.
 */
export function useAutoScroll<T extends HTMLElement>() {
  const ref = useRef<T>(null);
  const pinned = useRef(true);
  /** Where the conversation was last scrolled to (by the reader or by us). */
  const lastTop = useRef(0);

  const scrollToEnd = useCallback(() => {
    const element = ref.current;
    if (!element) return;
    pinned.current = true;
    element.scrollTop = element.scrollHeight;
    lastTop.current = element.scrollTop;
  }, []);

  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const follow = () => {
      if (pinned.current) element.scrollTop = element.scrollHeight;
      lastTop.current = element.scrollTop;
    };
    // Only the reader scrolling up unpins. Scroll events come a frame late, when an image may have
    // grown the content meanwhile: being far from the end then is not the reader's doing.
    const onScroll = () => {
      const top = element.scrollTop;
      if (element.scrollHeight - top - element.clientHeight < PINNED_PX) pinned.current = true;
      else if (top < lastTop.current) pinned.current = false;
      lastTop.current = top;
    };
    const resized = new ResizeObserver(follow);
    resized.observe(element);
    if (element.firstElementChild) resized.observe(element.firstElementChild);
    element.addEventListener('scroll', onScroll, { passive: true });
    window.addEventListener('resize', follow);
    window.visualViewport?.addEventListener('resize', follow);
    return () => {
      resized.disconnect();
      element.removeEventListener('scroll', onScroll);
      window.removeEventListener('resize', follow);
      window.visualViewport?.removeEventListener('resize', follow);
    };
  }, []);

  return { ref, scrollToEnd };
}
