export type CategoryPickerProps = {
  title: string;
  categories: string[];
  selected: string | null;
  onSelect(category: string): void;
};

/** Before the first message of a conversation: what it is about. */
export function CategoryPicker({ title, categories, selected, onSelect }: CategoryPickerProps) {
  return (
    <fieldset className="categories">
      <legend className="categories__title">{title}</legend>
      <div className="categories__list">
        {categories.map((category) => (
          <button
            key={category}
            type="button"
            className="chip"
            aria-pressed={selected === category}
            onClick={() => onSelect(category)}
          >
            {category}
          </button>
        ))}
      </div>
    </fieldset>
  );
}
