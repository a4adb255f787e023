/// <reference lib="dom" /> // page.evaluate callbacks run in the browser and use its globals
import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { TestApp } from './app';
import { LOG_DIR } from './test-env';

/** Debian's Chromium (`apt-get install -y chromium`); playwright-core never downloads a browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Screenshots the browser tests take, outside the repository (docs/ holds the committed ones). */
export const SCREENSHOT_DIR = join(LOG_DIR, 'screenshots');

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install it with \`apt-get update && apt-get install -y chromium\` (or set CHROMIUM_PATH)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // This machine's network is closed: without these, Chromium keeps trying to reach Google's hosts.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Makes the test app listen on a free port and returns its base URL. */
export async function serve(t: TestApp): Promise<string> {
  const server = t.app.getHttpServer();
  if (!server.listening) await t.app.listen(0, '127.0.0.1');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export interface Tab {
  context: BrowserContext;
  page: Page;
  /** Errors the page printed to its console or threw: every browser test ends by expecting none. */
  consoleErrors: string[];
  /** Chromium's own console line for each 4xx answer (a refusal the page shows to its user). */
  refusals: string[];
}

/** A fresh browser context (its own sessionStorage) on one page, recording console errors. */
export async function openTab(browser: Browser, baseUrl: string, viewport = DESKTOP): Promise<Tab> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  const refusals: string[] = [];
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    // Chromium logs every 4xx response as a console error; a refusal the page handles is not an error of the page.
    if (/^Failed to load resource: the server responded with a status of 4\d\d/.test(message.text())) refusals.push(message.text());
    else consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  return { context, page, consoleErrors, refusals };
}

/** Signs in through the sign-in screen, as a person would. */
export async function signIn(tab: Tab, token: string): Promise<void> {
  await tab.page.goto('/');
  await tab.page.getByLabel('Staff token').fill(token);
  await tab.page.getByRole('button', { name: 'Sign in' }).click();
  await tab.page.getByRole('button', { name: 'Sign out' }).waitFor();
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Rewrites a link from a message (built on PUBLIC_URL) onto the test server. */
export function onServer(link: string, baseUrl: string): string {
  const url = new URL(link);
  return `${baseUrl}${url.pathname}${url.search}`;
}
