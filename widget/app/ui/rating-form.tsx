import { type FormEvent, useState } from 'react';

export type RatingFormProps = {
  /** The rating already given, if any: then the form thanks instead of asking. */
  rated: number | null;
  onSubmit(stars: number, comment: string): void;
  saving: boolean;
  failed?: string | null;
  maxCommentLength: number;
  labels: { title: string; star(stars: number): string; comment: string; submit: string; thanks: string };
};

const STARS = [1, 2, 3, 4, 5];

/** After a conversation closed: 1–5 stars and an optional comment. */
export function RatingForm({ rated, onSubmit, saving, failed, maxCommentLength, labels }: RatingFormProps) {
  const [stars, setStars] = useState(0);
  const [comment, setComment] = useState('');
  if (rated !== null) {
    return (
      <div className="card rating" role="status">
        <p className="rating__stars">
          <span className="visually-hidden">{labels.star(rated)}</span>
          <span aria-hidden="true">
            {'★'.repeat(rated)}
            {'☆'.repeat(5 - rated)}
          </span>
        </p>
        <p>{labels.thanks}</p>
      </div>
    );
  }
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (stars > 0) onSubmit(stars, comment);
  };
  return (
    <form className="card rating" onSubmit={submit}>
      <fieldset className="rating__stars">
        <legend className="card__title">{labels.title}</legend>
        {STARS.map((value) => (
          <button
            key={value}
            type="button"
            className="star"
            aria-label={labels.star(value)}
            aria-pressed={stars === value}
            onClick={() => setStars(value)}
          >
            {value <= stars ? '★' : '☆'}
          </button>
        ))}
      </fieldset>
      <label className="field">
        <span>{labels.comment}</span>
        <textarea
          value={comment}
          maxLength={maxCommentLength}
          rows={2}
          onChange={(event) => setComment(event.target.value)}
        />
      </label>
      {failed && (
        <p className="card__error" role="alert">
          {failed}
        </p>
      )}
      <button type="submit" className="button" disabled={saving || stars === 0}>
        {labels.submit}
      </button>
    </form>
  );
}
