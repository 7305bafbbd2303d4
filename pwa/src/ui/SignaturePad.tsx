// The pad a customer signs on with a finger (signature_pad). Crisp on every screen (the canvas is
// drawn at devicePixelRatio), never scrolls the page while drawing, and keeps the signature when
// the tablet turns: the strokes are scaled to the pad's new size and drawn again.
import SignaturePadEngine from 'signature_pad';
import { useEffect, useRef, useState } from 'preact/hooks';
import { inkCheck, pointCount, rescaleStrokes, toApiStrokes, type Ink, type PadSize } from '../data/documents';
import type { StrokePoint } from '../data/types';

export interface PadValue { strokes: StrokePoint[][]; width: number; height: number; ink: Ink }

interface Props {
  label: string;
  clearLabel: string;
  redoLabel: string;
  hint?: string;
  /** Every change of ink or size, in the API's form. */
  onChange: (value: PadValue) => void;
  /** A new value empties the pad (the document changed under the customer). */
  resetKey?: number;
  disabled?: boolean;
}

/** The canvas's CSS size (unaffected by transforms); the frame around it sets it, never its pixels. */
const cssSize = (canvas: HTMLCanvasElement): PadSize => ({ width: canvas.offsetWidth, height: canvas.offsetHeight });

export function SignaturePad({ label, clearLabel, redoLabel, hint, onChange, resetKey = 0, disabled = false }: Props) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const engine = useRef<SignaturePadEngine | null>(null);
  const size = useRef<PadSize>({ width: 0, height: 0 });
  const report = useRef(onChange);
  report.current = onChange;
  const [value, setValue] = useState<PadValue>({ strokes: [], width: 0, height: 0, ink: 'empty' });

  /** Tell the screen what is on the pad now. */
  function publish(): void {
    const pad = engine.current;
    if (!pad) return;
    const { width, height } = size.current;
    const strokes = toApiStrokes(pad.toData(), size.current);
    const next = { strokes, width: Math.round(width), height: Math.round(height), ink: inkCheck(strokes, Math.round(width)) };
    setValue(next);
    report.current(next);
  }

  useEffect(() => {
    const canvas = canvasRef.current!;
    const pad = new SignaturePadEngine(canvas, { minWidth: 1, maxWidth: 3.2, penColor: '#10243a', throttle: 16, minDistance: 4 });
    engine.current = pad;

    /** Size the canvas's pixels to its CSS box at this screen's density; keep what was drawn. */
    function fit(): void {
      const next = cssSize(canvas);
      if (next.width === 0 || next.height === 0) return; // not laid out (hidden)
      const ratio = Math.max(window.devicePixelRatio || 1, 1);
      const pixels = { width: Math.round(next.width * ratio), height: Math.round(next.height * ratio) };
      const before = size.current;
      if (canvas.width === pixels.width && canvas.height === pixels.height &&
        before.width === next.width && before.height === next.height) return;
      const strokes = rescaleStrokes(pad.toData(), before, next);
      canvas.width = pixels.width; // resets the context's transform and clears
      canvas.height = pixels.height;
      canvas.getContext('2d')!.scale(ratio, ratio);
      size.current = next;
      pad.fromData(strokes);
      publish();
    }

    // iOS Safari before touch-action was honoured on canvases, and WebViews that still ignore it:
    // a finger on the pad must never move the page.
    const hold = (event: TouchEvent) => event.cancelable && event.preventDefault();
    canvas.addEventListener('touchstart', hold, { passive: false });
    canvas.addEventListener('touchmove', hold, { passive: false });
    pad.addEventListener('endStroke', publish);

    fit();
    const observer = new ResizeObserver(() => fit());
    observer.observe(canvas);
    // A change of screen density (a zoom, another display) needs new pixels at the same CSS size.
    const density = matchMedia(`(resolution: ${window.devicePixelRatio || 1}dppx)`);
    density.addEventListener?.('change', fit);
    return () => {
      observer.disconnect();
      density.removeEventListener?.('change', fit);
      canvas.removeEventListener('touchstart', hold);
      canvas.removeEventListener('touchmove', hold);
      pad.removeEventListener('endStroke', publish);
      pad.off();
      engine.current = null;
    };
  }, []);

  useEffect(() => {
    if (disabled) engine.current?.off();
    else engine.current?.on();
  }, [disabled]);

  useEffect(() => {
    if (resetKey === 0 || !engine.current) return;
    engine.current.clear();
    publish();
  }, [resetKey]);

  function clear(): void {
    engine.current?.clear();
    publish();
  }

  /** Take back the last stroke (to sign that part again). */
  function redo(): void {
    const pad = engine.current;
    if (!pad) return;
    const strokes = pad.toData();
    if (strokes.length === 0) return;
    pad.fromData(strokes.slice(0, -1));
    publish();
  }

  const empty = value.strokes.length === 0;
  return (
    <div class="pad">
      <div class="pad-frame">
        <canvas ref={canvasRef} class="pad-canvas" role="img" aria-label={label} data-testid="signature-pad"
          data-strokes={value.strokes.length} data-points={pointCount(value.strokes)} data-ink={value.ink}
          data-width={value.width} data-height={value.height} />
        {empty && <span class="pad-placeholder" aria-hidden="true">{label}</span>}
        <span class="pad-line" aria-hidden="true" />
      </div>
      <div class="pad-actions">
        {hint && <p class="muted pad-hint">{hint}</p>}
        <div class="pad-buttons">
          <button type="button" class="button-secondary" onClick={redo} disabled={disabled || empty}>{redoLabel}</button>
          <button type="button" class="button-secondary" onClick={clear} disabled={disabled || empty}>{clearLabel}</button>
        </div>
      </div>
    </div>
  );
}
