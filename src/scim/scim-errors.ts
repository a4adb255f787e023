import { Conflict, InvalidInput } from '../common/errors';

/** RFC 7644 §3.12 scimType values this service answers with. */
export type ScimType = 'invalidFilter' | 'tooMany' | 'uniqueness' | 'mutability' | 'invalidSyntax' | 'invalidPath' | 'noTarget' | 'invalidValue';

/** A request SCIM calls bad (400), with the scimType the client acts on. */
export class ScimInvalid extends InvalidInput {
  constructor(
    readonly scimType: ScimType,
    field: string,
    problem: string,
  ) {
    super(field, problem);
  }
}

/** The resource changed since the version the client names in If-Match (412). */
export class VersionMismatch extends Conflict {
  constructor(current: string) {
    super(`the user changed since that version; its version is now ${current}`);
  }
}
