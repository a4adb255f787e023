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
