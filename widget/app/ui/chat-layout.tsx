import type { ReactNode, Ref } from 'react';

export type ChatLayoutProps = {
  header: ReactNode;
  /** The scrolling part: messages and the cards that follow them. */
  children: ReactNode;
  scrollRef?: Ref<HTMLDivElement>;
  footer: ReactNode;
};

/** The chat's frame: header, scrolling conversation, composer; full height of its window. */
export function ChatLayout({ header, children, scrollRef, footer }: ChatLayoutProps) {
  return (
    <div className="chat">
      {header}
      <div className="scroll" ref={scrollRef}>
        <div className="scroll__content">{children}</div>
      </div>
      <div className="footer">{footer}</div>
    </div>
  );
}
