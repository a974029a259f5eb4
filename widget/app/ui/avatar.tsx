/** Up to two initials of a name ("Alice Smith" → "AS"). */
export function initialsOf(name: string) {
  const words = name.trim().split(/\s+/).filter(Boolean);
  return words
    .slice(0, 2)
    .map((word) => [...word][0]?.toUpperCase() ?? '')
    .join('');
}

/** Who answers: the agent's initials, or the team's mark before an agent joined. */
export function Avatar({ name }: { name?: string | null }) {
  return (
    <span className="avatar" aria-hidden="true">
      {name ? (
        initialsOf(name)
      ) : (
        <svg viewBox="0 0 24 24" aria-hidden="true">
          <path d="M4 5h16a1 1 0 0 1 1 1v9a1 1 0 0 1-1 1H10l-4 3v-3H4a1 1 0 0 1-1-1V6a1 1 0 0 1 1-1z" />
        </svg>
      )}
    </span>
  );
}
