import type { Update } from './types.ts';

/** Without `allowed_updates`, Telegram sends every update type except these. */
const NOT_SENT_BY_DEFAULT = new Set(['chat_member', 'message_reaction', 'message_reaction_count']);

interface PendingUpdate {
  update: Update;
  /** Put back by `redeliver`: survives the next offset confirmation until it has been returned. */
  redelivery: boolean;
  returned: boolean;
}

export type UpdateInput = Omit<Update, 'update_id'> & { update_id?: number };

/** The bot's pending updates, in update_id order, with Telegram's confirmation and filter rules. */
export class UpdateQueue {
  /** The last `allowed_updates` a bot asked for (getUpdates or setWebhook); undefined = default. */
  allowedUpdates: string[] | undefined;
  private lastId = 100_000;
  private pending: PendingUpdate[] = [];
  private readonly history = new Map<number, Update>();
  private readonly listeners = new Set<() => void>();

  push(input: UpdateInput): Update {
    const updateId = input.update_id ?? this.lastId + 1;
    this.lastId = Math.max(this.lastId, updateId);
    const update = { ...input, update_id: updateId } as Update;
    this.history.set(updateId, update);
    this.insert({ update, redelivery: false, returned: false });
    return update;
  }

  /** Makes an update created earlier pending again, with the same update_id. */
  redeliver(updateId: number): Update {
    const update = this.history.get(updateId);
    if (!update) throw new Error(`fake Telegram: no update ${updateId} to redeliver`);
    this.pending = this.pending.filter((entry) => entry.update.update_id !== updateId);
    this.insert({ update, redelivery: true, returned: false });
    return update;
  }

  /** getUpdates' `offset`: forget updates below it (a negative offset keeps only the last -offset). */
  confirm(offset: number | undefined) {
    if (offset === undefined) return;
    if (offset < 0) {
      this.pending = this.pending.slice(offset);
      return;
    }
    this.pending = this.pending.filter(
      (entry) => entry.update.update_id >= offset || (entry.redelivery && !entry.returned),
    );
  }

  /** Up to `limit` deliverable updates for getUpdates (they stay pending until confirmed). */
  take(limit: number): Update[] {
    this.dropFiltered();
    const batch = this.pending.slice(0, limit);
    for (const entry of batch) entry.returned = true;
    return batch.map((entry) => entry.update);
  }

  /** The next update for the webhook. */
  first(): Update | undefined {
    this.dropFiltered();
    return this.pending[0]?.update;
  }

  remove(updateId: number) {
    this.pending = this.pending.filter((entry) => entry.update.update_id !== updateId);
  }

  isPending(updateId: number): boolean {
    return this.pending.some((entry) => entry.update.update_id === updateId);
  }

  clear() {
    this.pending = [];
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  get(updateId: number): Update | undefined {
    return this.history.get(updateId);
  }

  /** Called whenever an update becomes pending. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private insert(entry: PendingUpdate) {
    const index = this.pending.findIndex((other) => other.update.update_id > entry.update.update_id);
    if (index === -1) this.pending.push(entry);
    else this.pending.splice(index, 0, entry);
    for (const listener of [...this.listeners]) listener();
  }

  private dropFiltered() {
    this.pending = this.pending.filter((entry) => this.isAllowed(entry.update));
  }

  private isAllowed(update: Update): boolean {
    const type = Object.keys(update).find((key) => key !== 'update_id') ?? '';
    const allowed = this.allowedUpdates;
    if (allowed === undefined || allowed.length === 0) return !NOT_SENT_BY_DEFAULT.has(type);
    return allowed.includes(type);
  }
}
