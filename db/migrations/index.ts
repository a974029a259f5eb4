import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261124122436_initial } from './Migration20261124122436_initial.ts';

/** Every migration, in order. `npm run db:migration:create -- NAME` writes a new file; add it here. */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261124122436_initial', class: Migration20261124122436_initial },
];
