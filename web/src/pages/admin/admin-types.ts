import type { Schemas } from '../../api/client';

/** The admin pages' shared shapes, here rather than in the page that lists them, so a form or card never imports its page. */
export type StaffMember = Schemas['StaffDto'];
export type CriticalSystem = Schemas['CriticalSystemViewDto'];
