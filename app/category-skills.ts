import { type CategorySkills, normalizeSkill } from '../core/skills.ts';

/**
 * `CATEGORY_SKILLS`: which skills each category's tickets need, `Category:skill|skill,…`, e.g.
 * `Billing:billing|payments,Technical:tech`. A category not listed needs the skill named like its key
 * (`Billing` → `billing`). Returns the map, or a readable problem (naming the item by its position).
 */
export function parseCategorySkills(value: string): { map: CategorySkills } | { problem: string } {
  const map: CategorySkills = {};
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  for (const [index, item] of items.entries()) {
    const where = `item ${index + 1}`;
    const colon = item.indexOf(':');
    if (colon <= 0) return { problem: `${where}: write Category:skill|skill` };
    const category = item.slice(0, colon).trim();
    const skills: string[] = [];
    for (const raw of item.slice(colon + 1).split('|')) {
      const skill = normalizeSkill(raw);
      if (!skill) return { problem: `${where}: a skill is letters, digits, - or _ (up to 32)` };
      if (!skills.includes(skill)) skills.push(skill);
    }
    if (category in map) return { problem: `${where} repeats a category` };
    map[category] = skills;
  }
  return { map };
}
