import { type KeyboardEvent, useEffect, useId, useRef, useState } from 'react';

/** `icon`: shown instead of the label (which then names it for screen readers), e.g. an emoji. */
export type MenuAction = { label: string; icon?: string; onSelect(): void; disabled?: boolean };

/**
 * A "⋯" button with a small menu of less frequent actions. Arrow keys move between items, Escape
 * closes it (and only it) and gives focus back to the button, a click outside closes it.
 */
const enabledItems = (menu: HTMLElement | null) => [
  ...(menu?.querySelectorAll<HTMLButtonElement>('button:enabled') ?? []),
];

/** `variant`: `header` (the chat's ⋯), or `message` (a message's, with a horizontal row of emoji when `row`). */
export function ActionMenu({
  label,
  actions,
  variant = 'header',
  row = false,
}: {
  label: string;
  actions: MenuAction[];
  variant?: 'header' | 'message';
  row?: boolean;
}) {
  const [open, setOpen] = useState(false);
  const menuId = useId();
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    enabledItems(menuRef.current)[0]?.focus();
    const onPointerDown = (event: PointerEvent) => {
      const target = event.target as Node;
      if (!menuRef.current?.contains(target) && !buttonRef.current?.contains(target)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointerDown);
    return () => document.removeEventListener('pointerdown', onPointerDown);
  }, [open]);

  const onKeyDown = (event: KeyboardEvent) => {
    const list = enabledItems(menuRef.current);
    const at = list.indexOf(document.activeElement as HTMLButtonElement);
    if (event.key === 'Escape') {
      event.stopPropagation();
      setOpen(false);
      buttonRef.current?.focus();
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      list[(at + step + list.length) % list.length]?.focus();
    } else if (event.key === 'Tab') {
      setOpen(false);
    }
  };

  return (
    <div className={`menu-anchor menu-anchor--${variant}`}>
      <button
        ref={buttonRef}
        type="button"
        className={variant === 'header' ? 'header__icon' : 'message__actions'}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        aria-label={label}
        title={label}
        onClick={() => setOpen((was) => !was)}
      >
        <svg viewBox="0 0 24 24" aria-hidden="true">
          <circle cx="5" cy="12" r="1.8" fill="currentColor" stroke="none" />
          <circle cx="12" cy="12" r="1.8" fill="currentColor" stroke="none" />
          <circle cx="19" cy="12" r="1.8" fill="currentColor" stroke="none" />
        </svg>
      </button>
      {open && (
        <div
          ref={menuRef}
          id={menuId}
          role="menu"
          aria-label={label}
          className={row ? 'menu menu--row' : 'menu'}
          onKeyDown={onKeyDown}
        >
          {actions.map((action) => (
            <button
              key={action.label}
              type="button"
              role="menuitem"
              aria-label={action.icon ? action.label : undefined}
              className="menu__item"
              disabled={action.disabled}
              onClick={() => {
                setOpen(false);
                buttonRef.current?.focus();
                action.onSelect();
              }}
            >
              {action.icon ?? action.label}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
