/** The ServiceLane mark (a car with a check), the same drawing as the app icon. */
export function Mark({ size = 40 }: { size?: number }) {
  return (
    <svg class="mark" viewBox="0 0 512 512" width={size} height={size} aria-hidden="true">
      <rect width="512" height="512" rx="112" fill="#fff" />
      <g transform="translate(-17 36)">
        <path fill="#17495c" d="M84 318V268q0-22 22-26l46-8 44-56q10-12 26-12h78q16 0 28 12l52 56 28 6q20 6 20 28v50q0 12-12 12H96q-12 0-12-12z" />
        <path fill="#fff" d="M180 232l32-42h44v42zm94 0v-42h32l38 42z" />
        <g fill="#fff"><circle cx="170" cy="330" r="46" /><circle cx="342" cy="330" r="46" /></g>
        <g fill="#17495c"><circle cx="170" cy="330" r="30" /><circle cx="342" cy="330" r="30" /></g>
        <circle cx="388" cy="138" r="74" fill="#f4c25b" stroke="#fff" stroke-width="14" />
        <path d="M352 140l26 26 46-50" fill="none" stroke="#17495c" stroke-width="20" stroke-linecap="round" stroke-linejoin="round" />
      </g>
    </svg>
  );
}
