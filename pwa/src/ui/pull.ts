import { useRef, useState } from 'preact/hooks';

const THRESHOLD_PX = 70;

/**
 * Pull-to-refresh for touch: pulling down while the page is scrolled to the top, then letting go
 * past the threshold, calls `refresh`. Returns the handlers to spread on the screen and how far
 * it is pulled (for the hint).
 */
export function usePullToRefresh(refresh: () => void) {
  const start = useRef<number | null>(null);
  const [pulled, setPulled] = useState(0);

  const scroller = (target: EventTarget | null) => (target as HTMLElement | null)?.closest('.main');

  return {
    pulled,
    ready: pulled >= THRESHOLD_PX,
    handlers: {
      onTouchStart: (event: TouchEvent) => {
        const atTop = (scroller(event.currentTarget)?.scrollTop ?? 0) <= 0;
        start.current = atTop && event.touches.length === 1 ? event.touches[0]!.clientY : null;
      },
      onTouchMove: (event: TouchEvent) => {
        if (start.current === null) return;
        setPulled(Math.max(0, Math.min(120, event.touches[0]!.clientY - start.current)));
      },
      onTouchEnd: () => {
        if (start.current !== null && pulled >= THRESHOLD_PX) refresh();
        start.current = null;
        setPulled(0);
      },
    },
  };
}
