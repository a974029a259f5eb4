/** A delivery for the support group, but none is bound yet: skipped (cards are requested again on /setup). */
export class NoSupportGroup extends Error {
  constructor() {
    super('No support group is bound yet (send /setup in the group, or set SUPPORT_GROUP_CHAT_ID)');
  }
}
