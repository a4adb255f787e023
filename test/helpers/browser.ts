/// <reference lib="dom" /> // page.evaluate callbacks run in the browser and use its globals
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../../bench/chromium';
import type { TestApp } from './app';
import { LOG_DIR } from './test-env';

/** Screenshots the browser tests take, outside the repository (docs/ holds the committed ones). */
export const SCREENSHOT_DIR = join(LOG_DIR, 'screenshots');

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

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

/** What a browser test file works with: the app's address, fresh tabs on it, and the browser itself. */
export interface BrowserTabs {
  /** The test app's address; a tab's `page.goto('/path')` resolves against it. */
  readonly baseUrl: string;
  /** The Chromium the tabs open in, for a test that needs more than a tab. */
  readonly chromium: Browser;
  /** A fresh tab (see openTab) that is closed after the test, which fails if the page logged an error. */
  tab(viewport?: typeof DESKTOP): Promise<Tab>;
}

/**
 * Serves the test app and launches Chromium for a file's browser tests, closes each test's tabs
 * after it and the browser after them all. Jest runs a file's beforeAll hooks in the order they
 * were registered, so call this after the beforeAll that creates the app.
 */
export function useBrowser(app: () => TestApp | undefined): BrowserTabs {
  let baseUrl: string | undefined;
  let launched: Browser | undefined;
  const opened: Tab[] = [];
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the browser is not started: open tabs only in tests, in a file that calls useBrowser');
    return value;
  };

  beforeAll(async () => {
    const t = app();
    // Jest runs the later beforeAll hooks even when one fails, so say which one to look at.
    if (!t) throw new Error('useBrowser found no test app: call it after the beforeAll that creates the app (or see why that one failed)');
    baseUrl = await serve(t);
    launched = await launchChromium();
  });
  afterEach(async () => {
    const closing = opened.splice(0);
    // What each page reported during its test, not while it is torn down.
    const errors = closing.map((tab) => [...tab.consoleErrors]);
    // Every form control on the screen each test ends on has a label (or an aria-label) a screen reader can announce.
    const unlabelled = await Promise.all(
      closing.map((tab) => tab.page.evaluate(unlabelledControls).catch((error: unknown) => (tab.page.isClosed() ? [] : Promise.reject(error)))),
    );
    // Every tab is closed before any check can fail, so none keeps running into the next test.
    for (const tab of closing) await tab.context.close();
    for (const pageErrors of errors) expect(pageErrors).toEqual([]);
    for (const controls of unlabelled) expect(controls).toEqual([]);
  });
  // Its tabs are closed after each test, so the browser closes cleanly whether the app has closed yet or not.
  afterAll(async () => {
    await launched?.close();
  });

  return {
    get baseUrl() {
      return started(baseUrl);
    },
    get chromium() {
      return started(launched);
    },
    async tab(viewport = DESKTOP) {
      const tab = await openTab(started(launched), started(baseUrl), viewport);
      opened.push(tab);
      return tab;
    },
  };
}

/** Runs in the page: the visible inputs, selects and text areas nobody labelled. */
function unlabelledControls(): string[] {
  return Array.from(document.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>('input, select, textarea'))
    .filter(
      (control) => control.type !== 'hidden' && !control.labels?.length && !control.getAttribute('aria-label') && !control.getAttribute('aria-labelledby'),
    )
    .map((control) => control.outerHTML.slice(0, 160));
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
