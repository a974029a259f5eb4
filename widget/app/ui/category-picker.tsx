export type CategoryPickerProps = {
  title: string;
  categories: string[];
  selected: string | null;
  onSelect(category: string | null): void;
};

/**
 * Optional quick choices for what a new conversation is about; typing never waits for them. The chosen
 * one stays pressed and can be changed (or pressed again to unset) until the first message goes.
 */
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
            onClick={() => onSelect(selected === category ? null : category)}
          >
            {category}
          </button>
        ))}
      </div>
    </fieldset>
  );
}
