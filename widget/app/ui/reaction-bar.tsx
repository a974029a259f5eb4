export type ReactionChip = { emoji: string; mine: boolean };

/**
 * The reactions under a message: the agent's and the visitor's. The visitor's own one is a button that
 * takes it back.
 */
export function ReactionBar(props: {
  reactions: ReactionChip[];
  label: string;
  removeLabel(emoji: string): string;
  onRemove(): void;
}) {
  if (props.reactions.length === 0) return null;
  return (
    <ul className="reactions" aria-label={props.label}>
      {props.reactions.map((reaction) => (
        <li key={reaction.mine ? 'mine' : 'theirs'}>
          {reaction.mine ? (
            <button
              type="button"
              className="reaction reaction--mine"
              aria-label={props.removeLabel(reaction.emoji)}
              onClick={props.onRemove}
            >
              {reaction.emoji}
            </button>
          ) : (
            <span className="reaction">{reaction.emoji}</span>
          )}
        </li>
      ))}
    </ul>
  );
}
