import { useCallback, useEffect, useRef } from 'react';

/** Closer than this to the end counts as "at the end" (the reader has not scrolled up to read). */
const PINNED_PX = 48;
/** Keys that scroll a focused conversation. */
const SCROLL_KEYS = new Set(['ArrowUp', 'ArrowDown', 'PageUp', 'PageDown', 'Home', 'End', ' ']);

/**
 * Keeps a scrolling conversation at its newest message whenever anything changes its size: a message
 * added, an image that finished loading, a card that appeared, the window or the on-screen keyboard
 * (visualViewport) resizing it. It stays put while the reader has scrolled up; `scrollToEnd()` brings
 * it back (after the visitor sends). The element's first child holds the content.
 *
 * Only the reader unpins it: a scroll away from the end during their wheel, key, finger or scrollbar
 * gesture. The position alone cannot tell: content that shrinks for a moment (an image's placeholder
 * replaced by the image before it has decoded) moves `scrollTop` too, and its scroll event may arrive
 * after the content has grown again, far from the end.
 */
export function useAutoScroll<T extends HTMLElement>() {
  const ref = useRef<T>(null);
  const pinned = useRef(true);

  const scrollToEnd = useCallback(() => {
    const element = ref.current;
    if (!element) return;
    pinned.current = true;
    element.scrollTop = element.scrollHeight;
  }, []);

  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const follow = () => {
      if (pinned.current) element.scrollTop = element.scrollHeight;
    };
    /** The reader is moving the conversation (from their input until its scrolling ends). */
    let reader = false;
    let lastTop = element.scrollTop;
    const onScroll = () => {
      const top = element.scrollTop;
      const distance = element.scrollHeight - top - element.clientHeight;
      if (!reader) {
        // Layout or our own scrolling: it may bring the end back, never take it away.
        if (distance < PINNED_PX) pinned.current = true;
      } else {
        // The reader's first steps up are still near the end: only moving down (or being at the very
        // end) pins.
        pinned.current = distance <= 1 || (distance < PINNED_PX && top >= lastTop);
      }
      lastTop = top;
    };
    const startGesture = () => {
      reader = true;
    };
    const endGesture = () => {
      reader = false;
    };
    const onKey = (event: KeyboardEvent) => {
      const typing = event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement;
      if (SCROLL_KEYS.has(event.key) && !typing) reader = true;
    };
    const resized = new ResizeObserver(follow);
    resized.observe(element);
    if (element.firstElementChild) resized.observe(element.firstElementChild);
    const on: [EventTarget, string, EventListener][] = [
      [element, 'scroll', onScroll],
      [element, 'wheel', startGesture],
      [element, 'keydown', onKey as EventListener],
      [element, 'pointerdown', startGesture],
      [element, 'touchstart', startGesture],
      [element, 'scrollend', endGesture],
      [window, 'pointerup', endGesture],
      [window, 'touchend', endGesture],
      [window, 'resize', follow],
    ];
    if (window.visualViewport) on.push([window.visualViewport, 'resize', follow]);
    for (const [target, type, listener] of on) target.addEventListener(type, listener, { passive: true });
    return () => {
      resized.disconnect();
      for (const [target, type, listener] of on) target.removeEventListener(type, listener);
    };
  }, []);

  return { ref, scrollToEnd };
}
