import { join } from 'node:path';
import { RunningProcess, startProcess } from './process';

export { freePort } from './own-services';

export const OIDC_CLIENT = { id: 'recovery-desk', secret: 'test-client-secret-0123456789abcdef' };

export interface TestUser {
  email?: string;
  email_verified?: boolean;
  name?: string;
  groups?: string[];
  amr?: string[];
  acr?: string;
  password?: string;
}

/** How the next ID token from the provider's token endpoint is changed (see oidc-provider.mjs). */
export interface Tampering {
  claims?: Record<string, unknown>;
  alg?: 'none';
  foreignKey?: boolean;
  replaceWith?: string;
}

/** The real OpenID provider (node-oidc-provider) in its own process, and its test hook. */
export class TestProvider {
  private constructor(
    private readonly process: RunningProcess,
    readonly issuer: string,
  ) {}

  static async start(appBaseUrl: string): Promise<TestProvider> {
    const running = startProcess(join('test', 'helpers', 'oidc-provider.mjs'), [], {
      CLIENT_ID: OIDC_CLIENT.id,
      CLIENT_SECRET: OIDC_CLIENT.secret,
      REDIRECT_URI: `${appBaseUrl}/v1/auth/oidc/callback`,
      POST_LOGOUT_REDIRECT_URI: `${appBaseUrl}/`,
      PORT: '0',
    });
    const [, issuer] = await running.waitFor(/oidc-provider listening on (\S+)/);
    return new TestProvider(running, issuer);
  }

  /** The app's settings for this provider. */
  appEnv(appBaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
    return {
      PUBLIC_URL: appBaseUrl,
      OIDC_ISSUER: this.issuer,
      OIDC_CLIENT_ID: OIDC_CLIENT.id,
      OIDC_CLIENT_SECRET: OIDC_CLIENT.secret,
      OIDC_SCOPES: 'openid email profile groups',
      OIDC_ROLE_MAP: 'helpdesk-agents=agent,helpdesk-approvers=approver,desk-admins=admin,security-auditors=auditor',
      OIDC_PROVIDER_NAME: 'Test IdP',
      ...extra,
    };
  }

  private async hook<T>(path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.issuer}/__test/${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`provider hook ${path} → ${res.status}`);
    return (await res.json()) as T;
  }

  users(users: Record<string, TestUser>) {
    return this.hook('users', users);
  }

  rotateKeys() {
    return this.hook<{ kids: string[] }>('rotate', {});
  }

  tamperNextIdToken(how: Tampering) {
    return this.hook('tamper', how);
  }

  async lastIdToken(): Promise<string> {
    return (await this.hook<{ idToken: string }>('last-id-token')).idToken;
  }

  stop() {
    return this.process.stop();
  }
}

/** Cookies per host, as a browser would keep them (enough for these flows: no paths, no expiry). */
class CookieJar {
  private readonly jar = new Map<string, Map<string, string>>();

  store(url: string, response: Response) {
    const host = new URL(url).host;
    const cookies = this.jar.get(host) ?? new Map<string, string>();
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair.indexOf('=');
      const value = pair.slice(at + 1);
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) cookies.delete(pair.slice(0, at));
      else cookies.set(pair.slice(0, at), value);
    }
    this.jar.set(host, cookies);
  }

  header(url: string): string {
    return [...(this.jar.get(new URL(url).host) ?? new Map<string, string>())].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  get(url: string, name: string): string | undefined {
    return this.jar.get(new URL(url).host)?.get(name);
  }
}

export interface SignInOutcome {
  /** The callback's answer: 302 into the console, or 401/403 with a page that says why. */
  status: number;
  location: string | null;
  body: string;
  /** The console session cookie (name=value), when one was set. */
  cookie: string | null;
}

/**
 * A person signing in as a browser would, over plain HTTP: the desk's redirect, the provider's
 * login page (username and password typed in), its redirect back, the desk's callback.
 * `alterCallback` may change the callback URL before the browser follows it (a mismatched state).
 */
export class Browserless {
  readonly jar = new CookieJar();

  constructor(private readonly appBaseUrl: string) {}

  private async get(url: string): Promise<Response> {
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: this.jar.header(url) } });
    this.jar.store(url, res);
    return res;
  }

  async signIn(
    login: string,
    options: { stepUp?: boolean; returnTo?: string; alterCallback?: (url: URL) => void; password?: string } = {},
  ): Promise<SignInOutcome> {
    const query = new URLSearchParams({ ...(options.returnTo && { returnTo: options.returnTo }), ...(options.stepUp && { stepUp: '1' }) });
    let url = `${this.appBaseUrl}/v1/auth/oidc/login?${query}`;
    let res = await this.get(url);
    // Follow the provider's redirects until it shows its login page or sends the browser back to the desk.
    for (let hops = 0; hops < 10; hops++) {
      if (res.status === 200 && (await res.clone().text()).includes('name="login"')) {
        const action = /action="([^"]+)"/.exec(await res.text())![1];
        const formUrl = new URL(action, url).toString();
        const posted = await fetch(formUrl, {
          method: 'POST',
          redirect: 'manual',
          headers: { cookie: this.jar.header(formUrl), 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ login, password: options.password ?? 'password' }).toString(),
        });
        this.jar.store(formUrl, posted);
        res = posted;
        url = formUrl;
        continue;
      }
      const location = res.headers.get('location');
      if (!location || res.status < 300 || res.status >= 400) throw new Error(`sign-in stopped at ${url}: ${res.status} ${await res.text()}`);
      const next = new URL(location, url);
      if (next.origin === new URL(this.appBaseUrl).origin && next.pathname === '/v1/auth/oidc/callback') {
        options.alterCallback?.(next);
        const answer = await this.get(next.toString());
        const session = this.jar.get(this.appBaseUrl, 'rd_session');
        return {
          status: answer.status,
          location: answer.headers.get('location'),
          body: await answer.text(),
          cookie: answer.status === 302 && session ? `rd_session=${session}` : null,
        };
      }
      url = next.toString();
      res = await this.get(url);
    }
    throw new Error('too many redirects while signing in');
  }
}
