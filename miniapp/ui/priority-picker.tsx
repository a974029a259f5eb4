import { Section, SegmentedControl } from '@telegram-apps/telegram-ui';
import type { TicketPriority } from '../../contract/team-api.ts';

const OPTIONS: { value: TicketPriority; label: string }[] = [
  { value: 'low', label: 'Low' },
  { value: 'normal', label: 'Normal' },
  { value: 'high', label: 'High' },
];

/** A ticket's priority: high comes first in every queue. */
export function PriorityPicker({
  value,
  disabled,
  onChange,
}: {
  value: TicketPriority;
  disabled: boolean;
  onChange: (priority: TicketPriority) => void;
}) {
  return (
    <Section header="Priority">
      <SegmentedControl className="sb-segments sb-priority" role="tablist" aria-label="Priority">
        {OPTIONS.map((option) => (
          <SegmentedControl.Item
            key={option.value}
            role="tab"
            aria-selected={value === option.value}
            selected={value === option.value}
            aria-label={`${option.label} priority`}
            disabled={disabled}
            onClick={() => value !== option.value && onChange(option.value)}
          >
            {option.label}
          </SegmentedControl.Item>
        ))}
      </SegmentedControl>
    </Section>
  );
}
