import { useCallback, useState } from 'react';
import { haptics, useBackButton } from './telegram.ts';

export type Screen =
  | { name: 'queue' }
  | { name: 'today' }
  | { name: 'team' }
  | { name: 'search' }
  | { name: 'reports' }
  | { name: 'ticket'; ticketId: number }
  | { name: 'canned-replies' };
export type RootScreen = 'queue' | 'today' | 'team' | 'search' | 'reports';

/**
 * The app's screens: a root tab (queue or today) with tickets opened on top. Telegram's back button is
 * shown whenever there is somewhere to go back to.
 */
export function useNavigation() {
  const [stack, setStack] = useState<Screen[]>([{ name: 'queue' }]);
  const back = useCallback(
    () => setStack((current) => (current.length > 1 ? current.slice(0, -1) : current)),
    [],
  );
  useBackButton(stack.length > 1 ? back : null);

  return {
    screen: stack.at(-1) as Screen,
    root: (stack[0] as Screen).name as RootScreen,
    canGoBack: stack.length > 1,
    back,
    openTicket: useCallback((ticketId: number) => {
      haptics.tap();
      setStack((current) => [...current, { name: 'ticket', ticketId }]);
    }, []),
    /** The team's canned replies (from the reply box's "Manage replies…"), on top of where the agent is. */
    openCannedReplies: useCallback(() => {
      haptics.tap();
      setStack((current) => [...current, { name: 'canned-replies' }]);
    }, []),
    showRoot: useCallback((name: RootScreen) => {
      haptics.selection();
      setStack([{ name }]);
    }, []),
  };
}
