import './insights.css';

export type TagFilterProps = {
  tags: { tag: string; count: number }[];
  selected: string | null;
  onSelect: (tag: string | null) => void;
};

/** The queue's tag filter: "All" and the tags on open tickets, with counts. Nothing without tags. */
export function TagFilter({ tags, selected, onSelect }: TagFilterProps) {
  if (!tags.length) return null;
  return (
    <div className="sb-tag-filter" role="toolbar" aria-label="Filter by tag">
      <button
        type="button"
        className={`sb-filter-chip${selected === null ? ' sb-filter-chip--on' : ''}`}
        aria-pressed={selected === null}
        onClick={() => onSelect(null)}
      >
        All
      </button>
      {tags.map(({ tag, count }) => (
        <button
          key={tag}
          type="button"
          className={`sb-filter-chip${selected === tag ? ' sb-filter-chip--on' : ''}`}
          aria-pressed={selected === tag}
          onClick={() => onSelect(selected === tag ? null : tag)}
        >
          #{tag} <span className="sb-filter-count">{count}</span>
        </button>
      ))}
    </div>
  );
}
