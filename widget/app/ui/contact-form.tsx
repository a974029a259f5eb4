import { type FormEvent, useState } from 'react';

export type ContactFormProps = {
  onSubmit(details: { email: string; phone: string }): void;
  saving: boolean;
  error?: string | null;
  labels: { title: string; email: string; phone: string; submit: string };
};

/** After hours: the visitor leaves an email or a phone number. */
export function ContactForm({ onSubmit, saving, error, labels }: ContactFormProps) {
  const [email, setEmail] = useState('');
  const [phone, setPhone] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit({ email, phone });
  };
  return (
    <form className="card contact" onSubmit={submit}>
      <p className="card__title">{labels.title}</p>
      <label className="field">
        <span>{labels.email}</span>
        <input
          type="email"
          autoComplete="email"
          value={email}
          onChange={(event) => setEmail(event.target.value)}
        />
      </label>
      <label className="field">
        <span>{labels.phone}</span>
        <input
          type="tel"
          autoComplete="tel"
          value={phone}
          onChange={(event) => setPhone(event.target.value)}
        />
      </label>
      {error && (
        <p className="card__error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="button" disabled={saving || (!email.trim() && !phone.trim())}>
        {labels.submit}
      </button>
    </form>
  );
}
