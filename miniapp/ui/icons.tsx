/** Tab bar icons (28×28, drawn in the current colour): emoji fonts are missing on some desktop clients. */
export function QueueIcon() {
  return (
    <svg width="28" height="28" viewBox="0 0 28 28" fill="none" aria-hidden="true">
      <rect x="5" y="5" width="18" height="18" rx="4" stroke="currentColor" strokeWidth="2" />
      <path d="M9.5 11h9M9.5 14h9M9.5 17h6" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
    </svg>
  );
}

export function StatsIcon() {
  return (
    <svg width="28" height="28" viewBox="0 0 28 28" fill="none" aria-hidden="true">
      <path d="M7 22V13M14 22V6M21 22v-6" stroke="currentColor" strokeWidth="2.5" strokeLinecap="round" />
    </svg>
  );
}
