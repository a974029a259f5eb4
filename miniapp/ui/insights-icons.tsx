/** The Search and Reports tabs' icons (28×28, drawn in the current colour, like the other tab icons). */
export function SearchIcon() {
  return (
    <svg width="28" height="28" viewBox="0 0 28 28" fill="none" aria-hidden="true">
      <circle cx="12.5" cy="12.5" r="6.5" stroke="currentColor" strokeWidth="2.2" />
      <path d="M17.5 17.5 23 23" stroke="currentColor" strokeWidth="2.4" strokeLinecap="round" />
    </svg>
  );
}

export function ReportsIcon() {
  return (
    <svg width="28" height="28" viewBox="0 0 28 28" fill="none" aria-hidden="true">
      <path
        d="M5 20.5 10.5 14l4 3.5L22.5 8"
        stroke="currentColor"
        strokeWidth="2.2"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
      <path d="M5 23.5h18" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
    </svg>
  );
}
