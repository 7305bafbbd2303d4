// Dashboard telltales, drawn for ServiceLane in the spirit of ISO 2575: simple line symbols on a
// 24-unit grid, stroked in `currentColor` so the screen colours them by meaning (red, amber,
// green, blue). One small drawing per catalogue code.
import type { JSX } from 'preact';

type Drawing = () => JSX.Element;

const exclaim = (x: number, top: number, bottom: number) => (
  <>
    <path d={`M${x} ${top}v${bottom - top - 2.2}`} />
    <circle cx={x} cy={bottom} r="0.6" fill="currentColor" stroke="none" />
  </>
);

const DRAWINGS: Record<string, Drawing> = {
  // Engine outline: block, intake on top, the "check engine" shape.
  engine: () => (
    <>
      <path d="M6.5 9h2.5V7h6v2h2.5l2 2h1.5v-1.5H22v6h-1.5V14H19l-2 3H9.5l-3-3z" />
      <path d="M6.5 10.5H4.5M4.5 8.5v6M10 5h4M12 5v2" />
    </>
  ),
  // Oil can with a drop at the spout.
  oil_pressure: () => (
    <>
      <path d="M3 10.5l3 1.5h2l2-2.5h5l6-2.5-6.5 7.5H8.5L7 12" />
      <path d="M10.5 9.5V7.5h3M10 7.5h4.5" />
      <path d="M20 15.5c-.8 1.1-1.2 1.9-1.2 2.5a1.2 1.2 0 0 0 2.4 0c0-.6-.4-1.4-1.2-2.5z" />
    </>
  ),
  // Battery with its two terminals, minus and plus.
  battery: () => (
    <>
      <rect x="3" y="7.5" width="18" height="11.5" rx="1.2" />
      <path d="M6 7.5V5.5h3v2M15 7.5V5.5h3v2M6 13.5h3M15 13.5h3M16.5 12v3" />
    </>
  ),
  // Brake: a circle between two arcs, with an exclamation mark.
  brake: () => (
    <>
      <circle cx="12" cy="12" r="6" />
      <path d="M4.6 6.2a9 9 0 0 0 0 11.6M19.4 6.2a9 9 0 0 1 0 11.6" />
      {exclaim(12, 8.8, 15.2)}
    </>
  ),
  // ABS: the brake circle with the letters.
  abs: () => (
    <>
      <circle cx="12" cy="12" r="6.5" />
      <path d="M4 6a9.5 9.5 0 0 0 0 12M20 6a9.5 9.5 0 0 1 0 12" />
      <text x="12" y="14.1" text-anchor="middle" font-size="5.6" font-weight="700" fill="currentColor" stroke="none"
        font-family="Arial, Helvetica, sans-serif">ABS</text>
    </>
  ),
  // Airbag: a seated person and the bag in front.
  airbag: () => (
    <>
      <circle cx="7.5" cy="4.8" r="1.8" />
      <path d="M6.5 8.5l-1 6.5h5.5l2 5M6.8 11.5l4-1.5" />
      <path d="M4 20h6" />
      <circle cx="16.5" cy="10" r="4" />
    </>
  ),
  // Tyre pressure: a tyre in section, with tread marks and an exclamation mark.
  tpms: () => (
    <>
      <path d="M6.3 18.5C4.1 16.4 3.5 13 4.3 10L5.8 5.5h12.4L19.7 10c.8 3 .2 6.4-2 8.5" />
      <path d="M5 20.5h2M9 20.5h2M13 20.5h2M17 20.5h2" />
      {exclaim(12, 8.5, 15.5)}
    </>
  ),
  // Coolant temperature: a thermometer standing in waves.
  coolant_temp: () => (
    <>
      <path d="M12 3v9.5" />
      <circle cx="12" cy="14.8" r="2.3" />
      <path d="M12 5.5h3M12 8.5h3M12 11.5h2" />
      <path d="M3 20c1.5-1.2 3-1.2 4.5 0s3 1.2 4.5 0 3-1.2 4.5 0 3 1.2 4.5 0" />
    </>
  ),
  // Power steering: a steering wheel with an exclamation mark.
  eps: () => (
    <>
      <circle cx="10.5" cy="12" r="7.5" />
      <circle cx="10.5" cy="12" r="2.2" />
      <path d="M3.2 10.5h5.2M12.7 10.5h5.2M10.5 14.2v5.3" />
      {exclaim(21.3, 7, 16.5)}
    </>
  ),
  // Stability control: a car with two skid trails behind it.
  esc: () => (
    <>
      <path d="M5 12.5l2-4.5h10l2 4.5v3.5H5z" />
      <path d="M5 12.5h14M7 16v1.5M17 16v1.5" />
      <path d="M6.5 19.5c1.2.8 1.2 1.8 0 2.5M17.5 19.5c-1.2.8-1.2 1.8 0 2.5" />
    </>
  ),
  // Diesel glow plug: a coil.
  glow_plug: () => (
    <>
      <path d="M2.5 13.5h2.5a2.2 3.5 0 1 1 3.5 0a2.2 3.5 0 1 1 3.5 0a2.2 3.5 0 1 1 3.5 0a2.2 3.5 0 1 1 3.5 0h2.5" />
      <path d="M3 18.5h18" />
    </>
  ),
  // Diesel particulate filter: a filter box full of soot, pipes either side.
  dpf: () => (
    <>
      <rect x="5" y="7" width="14" height="10" rx="2" />
      <path d="M2 12h3M19 12h3" />
      <g fill="currentColor" stroke="none">
        <circle cx="8.5" cy="10" r="0.9" /><circle cx="12" cy="10" r="0.9" /><circle cx="15.5" cy="10" r="0.9" />
        <circle cx="10.2" cy="14" r="0.9" /><circle cx="13.8" cy="14" r="0.9" />
      </g>
    </>
  ),
  // AdBlue (diesel exhaust fluid): a drop over the fluid in its tank.
  adblue: () => (
    <>
      <path d="M12 2.8c-1.8 2.5-3 4.3-3 5.7a3 3 0 0 0 6 0c0-1.4-1.2-3.2-3-5.7z" />
      <path d="M4 13h16v6.5a1.5 1.5 0 0 1-1.5 1.5h-13A1.5 1.5 0 0 1 4 19.5z" />
      <path d="M4 16.2c1.3-.9 2.7-.9 4 0s2.7.9 4 0 2.7-.9 4 0 2.7.9 4 0" />
    </>
  ),
  // Service due: a spanner.
  service_due: () => (
    <path d="M15 3.5a4.5 4.5 0 0 0-4.3 5.9l-6.6 6.6a2 2 0 0 0 2.8 2.8l6.6-6.6A4.5 4.5 0 0 0 19.4 7l-2.6 2.6-2.3-.6-.6-2.3z" />
  ),
  // Seat belt: a seated person with the belt across.
  seat_belt: () => (
    <>
      <circle cx="12" cy="4.8" r="2" />
      <path d="M7.5 21v-8a4.5 4.5 0 0 1 9 0v8" />
      <path d="M9 9.5l7 9" />
      <rect x="10.8" y="14.3" width="2.6" height="2" rx="0.4" transform="rotate(52 12.1 15.3)" />
    </>
  ),
  // A door open: the car from above with one door swung out.
  door_open: () => (
    <>
      <rect x="8" y="3" width="10" height="18" rx="3.5" />
      <path d="M9.5 8.5h7M9.5 16h7" />
      <path d="M8 10l-4.5 3.5" />
    </>
  ),
  // Low fuel: a fuel pump with its hose.
  low_fuel: () => (
    <>
      <path d="M4 20.5V5a1.5 1.5 0 0 1 1.5-1.5h6A1.5 1.5 0 0 1 13 5v15.5M3 20.5h11" />
      <rect x="6" y="6" width="5" height="4" rx="0.5" />
      <path d="M13 9.5h1.5a1.5 1.5 0 0 1 1.5 1.5v5a1.5 1.5 0 0 0 3 0V8.5L17 6.5" />
    </>
  ),
  // Electric / hybrid system: a car with a lightning bolt.
  ev_system: () => (
    <>
      <path d="M3 15.5l2-5h14l2 5v3.5H3z" />
      <path d="M6 19v1.5M18 19v1.5" />
      <path d="M13 2.5l-3.5 5H12l-1.5 4.5 4.5-6h-2.5z" />
    </>
  ),
};

/** The telltale for `code`; a plain warning triangle for a code this build does not know. */
export function LightIcon({ code, size = 40 }: { code: string; size?: number }) {
  const drawing = DRAWINGS[code];
  return (
    <svg class="light-icon" width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor"
      stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">
      {drawing ? drawing() : (<><path d="M12 3L2.5 20h19z" />{exclaim(12, 9, 16.5)}</>)}
    </svg>
  );
}

export const DRAWN_LIGHTS = Object.keys(DRAWINGS);
