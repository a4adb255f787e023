import { SetMetadata } from '@nestjs/common';

/** What a route can bring into being that puts codes, or access, in someone's hands. */
export const CODE_ARTEFACTS = ['code_set', 'delivery_envelope', 'link_token', 'unlock_grant'] as const;
export type CodeArtefact = (typeof CODE_ARTEFACTS)[number];

export const PATH_TO_CODES_KEY = 'recovery-desk:path-to-codes';

export interface PathToCodesMeta {
  creates: CodeArtefact[];
  /** How, in a few words, where it is not the route's own work (e.g. "the approval schedules regeneration"). */
  how: string;
}

/**
 * Marks a route that can create a code set, a delivery envelope, a link token or an unlock grant, directly or through
 * what it sets off. `src/docs/paths-to-codes.spec.ts` finds such routes from the controllers' call graph and fails when
 * one is not marked (or is marked with less than it can create); docs/security.md lists them with the roles that reach each.
 */
export const PathToCodes = (creates: CodeArtefact[], how: string) => SetMetadata(PATH_TO_CODES_KEY, { creates, how } satisfies PathToCodesMeta);
