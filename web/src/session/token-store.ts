/**
 * The staff token lives in sessionStorage only: it ends with the tab, never reaches
 * localStorage (shared by every tab, kept for ever) or a URL (history, logs, Referer).
 */
const KEY = 'recovery-desk.staff-token';

export const tokenStore = {
  get: (): string | null => sessionStorage.getItem(KEY),
  set: (token: string): void => sessionStorage.setItem(KEY, token),
  clear: (): void => sessionStorage.removeItem(KEY),
};

/**
 * A console session through the identity provider: the session itself is an HttpOnly cookie
 * page script never sees; the page only holds its CSRF token, in memory, to echo back.
 */
let csrfToken: string | null = null;
export const csrfStore = {
  get: (): string | null => csrfToken,
  set: (token: string | null): void => {
    csrfToken = token;
  },
};
