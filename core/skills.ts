/**
 * Skills route tickets to agents: a ticket's category maps to skills (`CATEGORY_SKILLS`; by default the
 * category's own key, as a skill), and an agent with one of them — or an agent with no skills at all, a
 * generalist — can take it. Skills are compared as normalised here: lower case, words joined by `-`.
 */

export const SKILL_PATTERN = /^[\p{L}\p{N}_-]{1,32}$/u;
export const SKILLS_PER_AGENT_MAX = 20;

/** `Tech Support` → `tech-support`; null when nothing valid is left. */
export function normalizeSkill(raw: string): string | null {
  const skill = raw.trim().toLowerCase().replace(/\s+/g, '-');
  return SKILL_PATTERN.test(skill) ? skill : null;
}

/** The skills a category's tickets need: the configured ones, else the category key itself. */
export type CategorySkills = Record<string, string[]>;

export function skillsOfCategory(map: CategorySkills, category: string | null | undefined): string[] {
  if (!category) return [];
  const configured = map[category] ?? map[category.toLowerCase()];
  if (configured?.length) return configured;
  const own = normalizeSkill(category);
  return own ? [own] : [];
}

/** Whether an agent with `agentSkills` can take a ticket needing any of `needed` (none needed: anyone). */
export function hasSkill(agentSkills: readonly string[], needed: readonly string[]): boolean {
  if (!needed.length || !agentSkills.length) return true;
  return needed.some((skill) => agentSkills.includes(skill));
}
