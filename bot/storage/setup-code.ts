import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { Setting } from '../../db/entities/index.ts';
import type { EntityManager } from '../../db/orm.ts';

/** The settings key of the one-time code that binds (or moves) the support group. */
export const SETUP_CODE_KEY = 'support_group_setup_code';

/** 32 symbols without look-alikes (no 0 / O, 1 / I): 5 bits each. */
const ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
/** 16 symbols, 80 bits: out of reach of guessing through Telegram messages. */
const GROUPS = 4;
const GROUP_LENGTH = 4;

/** A fresh setup code, e.g. `4F7K-9QXZ-M2PD-H8WC`. */
export function newSetupCode(): string {
  return Array.from({ length: GROUPS }, () =>
    Array.from({ length: GROUP_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join(''),
  ).join('-');
}

/** Case, spaces and dashes do not matter: people retype codes. */
const normalize = (code: string) => code.toUpperCase().replace(/[\s-]/g, '');
const digest = (code: string) => createHash('sha256').update(normalize(code)).digest();

/** Compares in constant time (equal-length digests), so the answer time tells nothing about the code. */
export function setupCodeMatches(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/**
 * The current setup code, kept in settings so that every instance knows the same one; created on
 * first use (the first instance to insert wins).
 */
export async function currentSetupCode(em: EntityManager): Promise<string> {
  const fork = em.fork();
  await fork
    .createQueryBuilder(Setting)
    .insert({ key: SETUP_CODE_KEY, value: newSetupCode(), updatedAt: new Date() })
    .onConflict('key')
    .ignore()
    .execute('run');
  const setting = await fork.findOneOrFail(Setting, SETUP_CODE_KEY, { disableIdentityMap: true });
  return setting.value;
}
