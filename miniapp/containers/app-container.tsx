import { useMemo, useState } from 'react';
import { createAgentApi } from '../api/agent-api.ts';
import { type TelegramLaunch, useTelegramAppearance } from '../hooks/telegram.ts';
import { useAgentEvents } from '../hooks/use-agent-events.ts';
import { useMe } from '../hooks/use-me.ts';
import { useNavigation } from '../hooks/use-navigation.ts';
import type { QueueTab } from '../hooks/use-queue.ts';
import { useSearch } from '../hooks/use-search.ts';
import { useStartTicket } from '../hooks/use-start-ticket.ts';
import { AppShell } from '../ui/app-shell.tsx';
import { FullScreenNotice, Loading } from '../ui/notice.tsx';
import { CannedRepliesContainer } from './canned-replies-container.tsx';
import { DeliveryDelayContainer } from './delivery-delay-container.tsx';
import { QueueContainer } from './queue-container.tsx';
import { ReportsContainer } from './reports-container.tsx';
import { SearchContainer } from './search-container.tsx';
import { TeamContainer } from './team-container.tsx';
import { TicketContainer } from './ticket-container.tsx';
import { TodayContainer } from './today-container.tsx';

const PROBLEM_TEXT = {
  expired: {
    icon: '⏳',
    title: 'Please reopen the app',
    description: 'Telegram’s sign-in for this window has expired.',
  },
  not_agent: { icon: '🔒', title: 'For the support team only', description: undefined },
  unavailable: { icon: '🛠️', title: 'Support is not available right now', description: undefined },
  offline: { icon: '📡', title: 'No connection', description: undefined },
};

/** The Mini App: who the agent is, the live event stream, and the screens. */
export function AppContainer({ launch }: { launch: TelegramLaunch }) {
  const appearance = useTelegramAppearance();
  const platform = /^(ios|macos)$/.test(launch.platform) ? 'ios' : 'base';
  const api = useMemo(() => createAgentApi(launch.initData), [launch.initData]);
  const { me, loading, problem, retry } = useMe(api);
  const events = useAgentEvents(api, { enabled: Boolean(me) });
  const navigation = useNavigation();
  // "Open in app" on a group card: the launch names a ticket (startapp=ticket-12); open it once signed in.
  useStartTicket(Boolean(me) && !problem, navigation.openTicket);
  const [queueTab, setQueueTab] = useState<QueueTab>('unclaimed');
  // Search (issue 13 §6): kept here so the results are still there after opening a ticket.
  const search = useSearch(api);
  const { screen } = navigation;

  let content: JSX.Element;
  if (loading) content = <Loading label="Signing in" />;
  else if (problem || !me) {
    const text = PROBLEM_TEXT[problem?.kind ?? 'offline'];
    content = (
      <FullScreenNotice
        icon={text.icon}
        title={text.title}
        description={text.description ?? problem?.message}
        action={
          problem?.kind === 'expired' || problem?.kind === 'not_agent'
            ? undefined
            : { label: 'Try again', onClick: retry }
        }
      />
    );
  } else if (screen.name === 'ticket') {
    content = (
      <TicketContainer
        key={screen.ticketId}
        api={api}
        events={events}
        ticketId={screen.ticketId}
        botUsername={me.bot_username}
        onBack={navigation.back}
        onManageReplies={navigation.openCannedReplies}
        onOpenTicket={navigation.openTicket}
      />
    );
  } else if (screen.name === 'search') {
    content = <SearchContainer search={search} onOpenTicket={navigation.openTicket} />;
  } else if (screen.name === 'reports') {
    content = <ReportsContainer api={api} />;
  } else if (screen.name === 'canned-replies') {
    content = <CannedRepliesContainer api={api} onBack={navigation.back} />;
  } else if (screen.name === 'today') {
    content = <TodayContainer api={api} events={events} />;
  } else if (screen.name === 'team') {
    content = <TeamContainer api={api} />;
  } else {
    content = (
      <QueueContainer
        api={api}
        events={events}
        tab={queueTab}
        onTabChange={setQueueTab}
        onOpenTicket={navigation.openTicket}
      />
    );
  }

  const onRoot = me && !problem && screen.name !== 'ticket' && screen.name !== 'canned-replies';
  return (
    <AppShell
      appearance={appearance}
      platform={platform}
      tabs={onRoot ? { current: navigation.root, onChange: navigation.showRoot } : undefined}
    >
      {me && !problem && <DeliveryDelayContainer api={api} events={events} />}
      {content}
    </AppShell>
  );
}

/** Opened in a plain browser, not from Telegram. */
export function OutsideTelegram() {
  return (
    <AppShell appearance="light" platform="base">
      <FullScreenNotice
        icon="✈️"
        title="Open this app from Telegram"
        description="It is the support team’s queue: open it with the bot’s menu button or /queue."
      />
    </AppShell>
  );
}

/** The dev server (`vite`, outside Telegram) could not prepare a launch: say why, on the screen. */
export function CannotStartInDevelopment({ problem }: { problem: string }) {
  return (
    <AppShell appearance="light" platform="base">
      <FullScreenNotice
        icon="🛠️"
        title="The Mini App cannot start"
        description={problem}
        action={{ label: 'Reload', onClick: () => location.reload() }}
      />
    </AppShell>
  );
}
