// A car seen from above, front up, drawn for ServiceLane: the damage diagram's background.
// viewBox 200×400; marks are placed in 0..1 of it (docs/api.md: `damage.<id>` {x, y}).
export const CAR_WIDTH = 200;
export const CAR_HEIGHT = 400;

export function CarOutline() {
  return (
    <g class="car-outline" fill="none" stroke="currentColor" stroke-linejoin="round" stroke-linecap="round">
      {/* wheels, under the body */}
      <g class="car-wheel" stroke-width="2">
        <rect x="22" y="70" width="18" height="52" rx="6" />
        <rect x="160" y="70" width="18" height="52" rx="6" />
        <rect x="22" y="280" width="18" height="52" rx="6" />
        <rect x="160" y="280" width="18" height="52" rx="6" />
      </g>
      {/* body */}
      <path class="car-body" stroke-width="3"
        d="M70 14 Q100 6 130 14 Q158 22 164 52 L168 110 Q171 200 168 300 L164 356 Q158 386 128 392 Q100 396 72 392 Q42 386 36 356 L32 300 Q29 200 32 110 L36 52 Q42 22 70 14 Z" />
      {/* bonnet lines, windscreen, roof, rear window, boot */}
      <g stroke-width="2">
        <path d="M62 30 Q60 70 58 112 M138 30 Q140 70 142 112" />
        <path d="M52 128 Q100 108 148 128 L140 168 Q100 158 60 168 Z" />
        <path d="M60 168 L58 276 M140 168 L142 276" />
        <path d="M58 276 Q100 286 142 276 L148 312 Q100 326 52 312 Z" />
        <path d="M60 330 Q62 360 66 380 M140 330 Q138 360 134 380" />
        {/* doors */}
        <path d="M34 176 H60 M140 176 H166 M33 230 H58 M142 230 H167" />
        {/* mirrors */}
        <path d="M36 150 L18 146 L18 160 L34 162" />
        <path d="M164 150 L182 146 L182 160 L166 162" />
        {/* lights */}
        <path d="M46 26 Q56 18 70 16 M154 26 Q144 18 130 16" stroke-width="4" />
        <path d="M44 382 Q56 390 72 392 M156 382 Q144 390 128 392" stroke-width="4" />
      </g>
    </g>
  );
}

/** A numbered mark on the outline at (x, y) in 0..1: a damage found at check-in or at delivery. */
export function OutlineMark({ x, y, label, class: className, onSelect }: {
  x: number; y: number; label: string; class: string; onSelect?: () => void;
}) {
  return (
    <g class={className} transform={`translate(${x * CAR_WIDTH} ${y * CAR_HEIGHT})`}
      onClick={onSelect ? (event) => { event.stopPropagation(); onSelect(); } : undefined}>
      <circle r="13" />
      <text y="5" text-anchor="middle">{label}</text>
    </g>
  );
}
