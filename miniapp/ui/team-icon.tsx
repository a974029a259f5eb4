/** The Team tab's icon (28×28, drawn in the current colour, like the other tab icons). */
export function TeamIcon() {
  return (
    <svg width="28" height="28" viewBox="0 0 28 28" fill="none" aria-hidden="true">
      <circle cx="11" cy="10" r="3.5" stroke="currentColor" strokeWidth="2" />
      <path
        d="M4.5 21.5c.8-3.4 3.4-5.5 6.5-5.5s5.7 2.1 6.5 5.5"
        stroke="currentColor"
        strokeWidth="2"
        strokeLinecap="round"
      />
      <circle cx="19.5" cy="9.5" r="2.5" stroke="currentColor" strokeWidth="2" />
      <path d="M19 14.5c2.5 0 4.3 1.8 4.9 4.5" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
    </svg>
  );
}
