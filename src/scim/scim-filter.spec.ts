import { ScimInvalid } from './scim-errors';
import { ENTERPRISE, filterToSql } from './scim-filter';

// Also the proof that scimmy (which parses the filter) loads under Jest's CommonJS runtime.
describe('SCIM filter → SQL', () => {
  it('userName eq is case-insensitive over the directory userName, else the e-mail', () => {
    expect(filterToSql('userName eq "Bjensen@Example.com"')).toEqual({
      where: '((COALESCE((lower(COALESCE(d.user_name, a.email)) = $1), false)))',
      params: ['bjensen@example.com'],
    });
  });

  it('externalId is exact; emails[type eq "work"].value compares the registered e-mail; or/and/not keep their grouping', () => {
    const { where, params } = filterToSql('externalId eq "E1" or (emails[type eq "work"].value eq "a@b.c" and active eq true)');
    expect(params).toEqual(['E1', 'work', 'a@b.c', true]);
    expect(where).toContain('(a.external_id = $1)');
    expect(where).toMatch(/^\(\(.*\) OR \(.* AND .*\)\)$/);
    expect(filterToSql('not (active eq false)').where).toContain(`NOT COALESCE(((a.status = 'active') = $1), false)`);
  });

  it('co/sw/ew escape LIKE wildcards; enterprise attributes by their URN', () => {
    expect(filterToSql('displayName co "50%_off"').params).toEqual(['%50\\%\\_off%']);
    expect(filterToSql(`${ENTERPRISE}:employeeNumber eq "7"`).where).toContain('lower(a.employee_number)');
  });

  it.each(['userName eq', 'userName xx "a"', '((', 'password eq "x"', 'active eq "yes"', 'meta.created gt "not a date"', 'userName pr "x"', 'x'.repeat(1001)])(
    'refuses %j with invalidFilter',
    (filter) => {
      expect(() => filterToSql(filter)).toThrow(ScimInvalid);
      try {
        filterToSql(filter);
      } catch (error) {
        expect((error as ScimInvalid).scimType).toBe('invalidFilter');
      }
    },
  );
});
