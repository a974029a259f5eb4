import { useEffect, useRef } from 'react';

/** Keeps a scrolling list at its end when items are added, unless the reader scrolled up to read. */
export function useAutoScroll<T extends HTMLElement>(itemCount: number) {
  const ref = useRef<T>(null);
  const pinned = useRef(true);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const onScroll = () => {
      pinned.current = element.scrollHeight - element.scrollTop - element.clientHeight < 48;
    };
    element.addEventListener('scroll', onScroll, { passive: true });
    return () => element.removeEventListener('scroll', onScroll);
  }, []);
  useEffect(() => {
    const element = ref.current;
    if (element && pinned.current && itemCount >= 0) element.scrollTop = element.scrollHeight;
  }, [itemCount]);
  return ref;
}
