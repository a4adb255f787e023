// A real OpenID provider for the tests: node-oidc-provider (certified, ESM), run as its own process.
// Its test users, their groups and how they authenticate (amr/acr) are set through a small admin
// hook under /__test/, which also rotates the signing key and rewrites the next ID token the token
// endpoint returns (the ID-token negatives: wrong iss/aud, expiry, bad signature, alg none, replay).
//
// Environment: CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, POST_LOGOUT_REDIRECT_URI, PORT (0: any free port).
// Prints "oidc-provider listening on <issuer>" once it answers.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import * as jose from 'jose';
import Provider from 'oidc-provider';

const env = process.env;
const users = new Map(); // sub → { email, email_verified, name, groups, amr, acr, password }
let tamper = null; // what to do to the next ID token the token endpoint returns
let lastIdToken = null;
let keys = [];
let provider;

const server = createServer((req, res) => {
  handle(req, res).catch((error) => {
    res.statusCode = 500;
    res.end(String(error?.stack ?? error));
  });
});
await new Promise((resolve) => server.listen(Number(env.PORT ?? 0), '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

async function newKey() {
  const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
  return { ...(await jose.exportJWK(privateKey)), kid: randomUUID(), alg: 'RS256', use: 'sig' };
}

/** A provider instance over the current keys: the first key signs, the others stay published. */
function buildProvider() {
  const p = new Provider(issuer, {
    clients: [
      {
        client_id: env.CLIENT_ID,
        client_secret: env.CLIENT_SECRET,
        redirect_uris: [env.REDIRECT_URI],
        post_logout_redirect_uris: [env.POST_LOGOUT_REDIRECT_URI],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        require_auth_time: true,
      },
    ],
    jwks: { keys },
    cookies: { keys: ['test-cookie-key-0123456789abcdef'] },
    claims: { openid: ['sub', 'acr', 'amr'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
    scopes: ['openid', 'email', 'profile', 'groups'],
    acrValues: ['urn:rd:password', 'urn:rd:phishing-resistant'],
    conformIdTokenClaims: false, // the groups and e-mail in the ID token itself, as Okta/Entra can be set to do
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => {
          ctx.body = page(
            `${form}<p>Sign out of the test identity provider?</p><button form="op.logoutForm" type="submit" name="logout" value="yes">Yes, sign me out</button>`,
          );
        },
        postLogoutSuccessSource: (ctx) => {
          ctx.body = page('<p>You are signed out.</p>');
        },
      },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx, sub) => {
      const user = users.get(sub);
      if (!user) return undefined;
      return {
        accountId: sub,
        claims: () => ({ sub, email: user.email, email_verified: user.email_verified ?? true, name: user.name ?? sub, groups: user.groups ?? [] }),
      };
    },
    // First-party client: no consent screen.
    loadExistingGrant: async (ctx) => {
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope('openid email profile groups');
      await grant.save();
      return grant;
    },
    ttl: { IdToken: 3600, AccessToken: 600, AuthorizationCode: 60, Session: 86400, Interaction: 600, Grant: 86400 },
  });
  p.use(async (ctx, next) => {
    await next();
    if (ctx.path === '/token' && ctx.body && typeof ctx.body.id_token === 'string') {
      const original = ctx.body.id_token;
      if (tamper) ctx.body = { ...ctx.body, id_token: await rewrite(original, tamper) };
      tamper = null;
      lastIdToken = original;
    }
  });
  return p;
}

/** The ID token, changed as the test asked, re-signed (or not) as it asked. */
async function rewrite(idToken, how) {
  if (how.replaceWith) return how.replaceWith;
  const payload = { ...jose.decodeJwt(idToken), ...(how.claims ?? {}) };
  for (const [claim, value] of Object.entries(payload)) if (value === null) delete payload[claim];
  if (how.alg === 'none') {
    const part = (object) => Buffer.from(JSON.stringify(object)).toString('base64url');
    return `${part({ alg: 'none', typ: 'JWT' })}.${part(payload)}.`;
  }
  const signer = how.foreignKey ? await newKey() : keys[0];
  return new jose.SignJWT(payload)
    .setProtectedHeader({ alg: 'RS256', kid: how.foreignKey ? keys[0].kid : signer.kid })
    .sign(await jose.importJWK(signer, 'RS256'));
}

const page = (body) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>Test identity provider</title></head><body><h1>Test identity provider</h1>${body}</body></html>`;
const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function json(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function handle(req, res) {
  const url = new URL(req.url, issuer);
  const interaction = /^\/interaction\/([^/]+)(\/login)?$/.exec(url.pathname);
  if (interaction && req.method === 'GET') {
    const details = await provider.interactionDetails(req, res);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    return res.end(loginForm(details.uid, details.prompt.name, ''));
  }
  if (interaction && interaction[2] && req.method === 'POST') {
    const form = new URLSearchParams(await readBody(req));
    const sub = form.get('login') ?? '';
    const user = users.get(sub);
    if (!user || (user.password ?? 'password') !== form.get('password')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(loginForm(interaction[1], 'login', 'Unknown user or wrong password.'));
    }
    return provider.interactionFinished(
      req,
      res,
      { login: { accountId: sub, amr: user.amr ?? ['pwd'], acr: user.acr ?? 'urn:rd:password' } },
      { mergeWithLastSubmission: false },
    );
  }
  if (url.pathname.startsWith('/__test/')) return admin(req, res, url);
  return provider.callback()(req, res);
}

function loginForm(uid, prompt, error) {
  return page(
    `<form method="post" action="/interaction/${escape(uid)}/login">` +
      `<p>Prompt: ${escape(prompt)}</p>${error ? `<p role="alert">${escape(error)}</p>` : ''}` +
      '<label>Username <input name="login" autocomplete="username" autofocus></label> ' +
      '<label>Password <input name="password" type="password" autocomplete="current-password"></label> ' +
      '<button type="submit">Sign in</button></form>',
  );
}

/** The test's hook: users, key rotation, the next ID token's tampering, the last ID token issued. */
async function admin(req, res, url) {
  const body = req.method === 'POST' ? JSON.parse((await readBody(req)) || '{}') : {};
  switch (url.pathname) {
    case '/__test/users':
      for (const [sub, fields] of Object.entries(body)) users.set(sub, { ...(users.get(sub) ?? {}), ...fields });
      return json(res, 200, Object.fromEntries(users));
    case '/__test/rotate': {
      keys = [await newKey(), ...keys.slice(0, 1)];
      provider = buildProvider();
      return json(res, 200, { kids: keys.map((k) => k.kid) });
    }
    case '/__test/tamper':
      tamper = body;
      return json(res, 200, { ok: true });
    case '/__test/last-id-token':
      return json(res, 200, { idToken: lastIdToken });
    default:
      return json(res, 404, { error: 'no such test hook' });
  }
}

keys = [await newKey()];
provider = buildProvider();
process.on('SIGTERM', () => server.close(() => process.exit(0)));
console.log(`oidc-provider listening on ${issuer}`);
