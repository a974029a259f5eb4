import { retrieveLaunchParams } from '@telegram-apps/sdk-react';
import { useEffect, useRef } from 'react';
import { ticketIdOfStartParam } from '../../contract/start-param.ts';

/**
 * The ticket the app was opened for: the group card's "Open in app" link carries `startapp=ticket-12`,
 * which Telegram hands over as the launch's start parameter (`tgWebAppStartParam`, also `start_param` in
 * the signed initData). Null for a plain launch.
 */
export function startTicketId(): number | null {
  try {
    const launch = retrieveLaunchParams();
    return ticketIdOfStartParam(launch.tgWebAppStartParam ?? launch.tgWebAppData?.start_param ?? null);
  } catch {
    return null;
  }
}

/**
 * Opens the launch's ticket once, when the agent is signed in. The ticket screen loads it through the API,
 * which lets only agents in (anyone else never gets this far) and says so when it does not exist.
 */
export function useStartTicket(ready: boolean, openTicket: (ticketId: number) => void) {
  const done = useRef(false);
  useEffect(() => {
    if (!ready || done.current) return;
    done.current = true;
    const ticketId = startTicketId();
    if (ticketId) openTicket(ticketId);
  }, [ready, openTicket]);
}
