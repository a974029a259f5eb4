import { Button, Cell, List, Section, SegmentedControl } from '@telegram-apps/telegram-ui';
import { type FormEvent, type ReactNode, useState } from 'react';
import type { PresenceStateView, TeamMemberView, WorkingDayView } from '../../contract/team-api.ts';
import { formatDuration } from './format.ts';
import './team.css';

const STATES: { value: PresenceStateView; label: string }[] = [
  { value: 'online', label: 'Online' },
  { value: 'away', label: 'Away' },
  { value: 'offline', label: 'Offline' },
];
/** Monday first, as people read a working week; values are JavaScript's days (0 = Sunday). */
const DAYS = [
  { day: 1, label: 'Mon' },
  { day: 2, label: 'Tue' },
  { day: 3, label: 'Wed' },
  { day: 4, label: 'Thu' },
  { day: 5, label: 'Fri' },
  { day: 6, label: 'Sat' },
  { day: 0, label: 'Sun' },
];

export type TeamViewProps = {
  members: TeamMemberView[];
  me: TeamMemberView;
  /** An administrator of the support group: may edit anyone's skills. */
  admin: boolean;
  /** Skills the categories need, offered as suggestions. */
  suggestedSkills: string[];
  busy: 'presence' | 'skills' | 'hours' | null;
  /** When the list was fetched (ms), for "seen … ago". */
  now: number;
  /** The browser's time zone, for hours not set yet. */
  defaultTimeZone: string;
  /** Errors (shown under the header). */
  notice?: ReactNode;
  onPresence: (state: PresenceStateView) => void;
  onSkills: (agentId: number | 'me', skills: string[]) => unknown;
  onHours: (timeZone: string, days: WorkingDayView[]) => unknown;
};

function stateWhy(member: TeamMemberView): string {
  if (member.reason === 'inactive') return 'Away: not seen for a while. Anything you do brings you back.';
  if (member.reason === 'hours')
    return member.in_hours ? 'Online: your working hours.' : 'Offline: outside your working hours.';
  if (member.in_hours !== null) return 'Your choice holds until your working hours next start or end.';
  if (member.state === 'online') return 'New tickets’ cards name you while you are online.';
  return 'Cards in the group do not name you.';
}

function seen(member: TeamMemberView, now: number): string {
  if (!member.last_seen_at) return 'never seen';
  const seconds = Math.max(0, (now - new Date(member.last_seen_at).getTime()) / 1000);
  return seconds < 60 ? 'seen just now' : `seen ${formatDuration(seconds)} ago`;
}

function StateLabel({ state }: { state: PresenceStateView }) {
  return (
    <span className={`sb-presence sb-presence--${state}`}>
      <span className="sb-presence__dot" aria-hidden="true" />
      {STATES.find((option) => option.value === state)?.label}
    </span>
  );
}

/** Skills as removable chips, a field to add one, and suggestions. */
function SkillsEditor({
  skills,
  suggestions,
  disabled,
  label,
  onChange,
}: {
  skills: string[];
  suggestions: string[];
  disabled: boolean;
  label: string;
  onChange: (skills: string[]) => void;
}) {
  const [draft, setDraft] = useState('');
  const add = (event: FormEvent) => {
    event.preventDefault();
    const skill = draft.trim();
    if (!skill) return;
    onChange([...skills, skill]);
    setDraft('');
  };
  const offered = suggestions.filter((skill) => !skills.includes(skill));
  return (
    <div className="sb-team-skills">
      <ul className="sb-team-chips" aria-label={label}>
        {skills.length === 0 && (
          <li className="sb-team-muted">No skills: takes tickets of every category.</li>
        )}
        {skills.map((skill) => (
          <li key={skill}>
            <button
              type="button"
              className="sb-team-chip"
              disabled={disabled}
              aria-label={`Remove ${skill}`}
              onClick={() => onChange(skills.filter((other) => other !== skill))}
            >
              {skill} <span aria-hidden="true">×</span>
            </button>
          </li>
        ))}
      </ul>
      {offered.length > 0 && (
        <ul className="sb-team-chips" aria-label="Suggested skills">
          {offered.map((skill) => (
            <li key={skill}>
              <button
                type="button"
                className="sb-team-chip sb-team-chip--suggested"
                disabled={disabled}
                onClick={() => onChange([...skills, skill])}
              >
                + {skill}
              </button>
            </li>
          ))}
        </ul>
      )}
      <form className="sb-team-form" onSubmit={add}>
        <input
          className="sb-team-input"
          value={draft}
          maxLength={32}
          placeholder="Add a skill, e.g. billing"
          aria-label={`${label}: new skill`}
          onChange={(event) => setDraft(event.target.value)}
        />
        <Button size="s" mode="bezeled" type="submit" disabled={disabled || !draft.trim()}>
          Add
        </Button>
      </form>
    </div>
  );
}

/** The weekly schedule: a time zone, the days, one start and end for them all. */
function HoursEditor({
  me,
  defaultTimeZone,
  disabled,
  onSave,
}: {
  me: TeamMemberView;
  defaultTimeZone: string;
  disabled: boolean;
  onSave: (timeZone: string, days: WorkingDayView[]) => void;
}) {
  const first = me.working_hours?.[0];
  const [timeZone, setTimeZone] = useState(me.time_zone ?? defaultTimeZone);
  const [days, setDays] = useState<number[]>(me.working_hours?.map((entry) => entry.day) ?? [1, 2, 3, 4, 5]);
  const [start, setStart] = useState(first?.start ?? '09:00');
  const [end, setEnd] = useState(first?.end ?? '18:00');
  const toggle = (day: number) =>
    setDays((current) => (current.includes(day) ? current.filter((d) => d !== day) : [...current, day]));
  const save = (event: FormEvent) => {
    event.preventDefault();
    onSave(
      timeZone.trim(),
      days.map((day) => ({ day, start, end })),
    );
  };
  return (
    <form className="sb-team-hours" onSubmit={save} aria-label="Working hours">
      <label className="sb-team-field">
        <span>Time zone</span>
        <input
          className="sb-team-input"
          value={timeZone}
          maxLength={64}
          onChange={(event) => setTimeZone(event.target.value)}
        />
      </label>
      <fieldset className="sb-team-days">
        <legend>Days</legend>
        {DAYS.map(({ day, label }) => (
          <button
            key={day}
            type="button"
            className="sb-team-chip sb-team-chip--day"
            aria-pressed={days.includes(day)}
            onClick={() => toggle(day)}
          >
            {label}
          </button>
        ))}
      </fieldset>
      <div className="sb-team-times">
        <label className="sb-team-field">
          <span>From</span>
          <input
            className="sb-team-input"
            type="time"
            value={start}
            onChange={(event) => setStart(event.target.value)}
          />
        </label>
        <label className="sb-team-field">
          <span>To</span>
          <input
            className="sb-team-input"
            type="time"
            value={end}
            onChange={(event) => setEnd(event.target.value)}
          />
        </label>
      </div>
      <div className="sb-button-row">
        <Button size="m" mode="filled" type="submit" disabled={disabled || !days.length || !timeZone.trim()}>
          Save hours
        </Button>
        {me.working_hours && (
          <Button
            size="m"
            mode="plain"
            type="button"
            disabled={disabled}
            onClick={() => onSave(timeZone, [])}
          >
            Turn off
          </Button>
        )}
      </div>
    </form>
  );
}

/** Who is online: the agent's own toggle, skills and hours, then the whole team with state, skills and load. */
export function TeamView(props: TeamViewProps) {
  const { me, members, busy } = props;
  const [editing, setEditing] = useState<number | null>(null);
  const online = members.filter((member) => member.state === 'online').length;
  // The toggle shows what counts (working hours may have switched it), except the away of inactivity:
  // then what the agent chose, and "You count as" says away.
  const selected = me.reason === 'inactive' ? me.chosen : me.state;
  return (
    <List className="sb-team">
      <Section header="You">
        <SegmentedControl className="sb-segments sb-presence-toggle" role="tablist" aria-label="Your status">
          {STATES.map((option) => (
            <SegmentedControl.Item
              key={option.value}
              role="tab"
              aria-selected={selected === option.value}
              selected={selected === option.value}
              disabled={busy === 'presence'}
              onClick={() => selected !== option.value && props.onPresence(option.value)}
            >
              {option.label}
            </SegmentedControl.Item>
          ))}
        </SegmentedControl>
        <Cell after={<StateLabel state={me.state} />} subtitle={`${me.open_tickets} open tickets`}>
          You count as
        </Cell>
        <p className="sb-team-hint">{stateWhy(me)}</p>
      </Section>
      {props.notice}
      <Section header="Your skills">
        <SkillsEditor
          skills={me.skills}
          suggestions={props.suggestedSkills}
          disabled={busy === 'skills'}
          label="Your skills"
          onChange={(skills) => void props.onSkills('me', skills)}
        />
        <p className="sb-team-hint">Tickets of a category go to agents with its skill.</p>
      </Section>
      <Section header="Working hours">
        <p className="sb-team-hint">
          At the start of your hours you go online, at the end offline; your own choice holds until then.
        </p>
        <HoursEditor
          me={me}
          defaultTimeZone={props.defaultTimeZone}
          disabled={busy === 'hours'}
          onSave={(timeZone, days) => void props.onHours(timeZone, days)}
        />
      </Section>
      <Section header={`Team · ${online} online`}>
        {members.map((member) => (
          <div key={member.id} className="sb-member" data-agent-id={member.id}>
            <Cell
              Component={props.admin && !member.me ? 'button' : 'div'}
              className="sb-member__cell"
              onClick={
                props.admin && !member.me
                  ? () => setEditing(editing === member.id ? null : member.id)
                  : undefined
              }
              subtitle={member.skills.length ? member.skills.join(', ') : 'all categories'}
              description={`${member.open_tickets} open · ${seen(member, props.now)}`}
              after={<StateLabel state={member.state} />}
              multiline
            >
              {member.name}
              {member.me ? ' (you)' : ''}
            </Cell>
            {editing === member.id && (
              <SkillsEditor
                skills={member.skills}
                suggestions={props.suggestedSkills}
                disabled={busy === 'skills'}
                label={`${member.name}’s skills`}
                onChange={(skills) => void props.onSkills(member.id, skills)}
              />
            )}
          </div>
        ))}
      </Section>
    </List>
  );
}
