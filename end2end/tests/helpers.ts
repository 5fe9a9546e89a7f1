// Actions, checks and finders shared by the specs.
import { ConsoleMessage, Page, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

export const demoPassword = process.env.E2E_DEMO_PASSWORD ?? 'E2e-Demo-Passw0rd';

/** Opens a page and waits until the WebAssembly has hydrated it (the app marks <body data-hydrated>). When it never
 * does, the failure carries what the browser reported meanwhile (a hydration panic names the node it expected). */
export async function open(page: Page, path: string) {
  const said: string[] = [];
  const listen = (m: ConsoleMessage) => {
    if (m.type() === 'error' || m.type() === 'warning') said.push(`${m.type()}: ${m.text()}`);
  };
  const thrown = (e: Error) => said.push(`page error: ${e.message}`);
  page.on('console', listen);
  page.on('pageerror', thrown);
  try {
    await page.goto(path);
    await page.waitForSelector('body[data-hydrated]', { timeout: 40_000 });
  } catch (e) {
    throw new Error(`${path} did not hydrate: ${(e as Error).message}\nthe browser said:\n${said.join('\n').slice(0, 4000)}`);
  } finally {
    page.off('console', listen);
    page.off('pageerror', thrown);
  }
}

export async function login(page: Page, login: string, password: string) {
  await open(page, '/login');
  await page.locator('#f-login').fill(login);
  await page.locator('#f-password').fill(password);
  await page.locator('main button[type=submit]').click();
}

export async function logout(page: Page) {
  await page.getByTestId('logout').click();
  await expect(page).toHaveURL(/\/login$/);
}

export async function shot(page: Page, name: string) {
  await page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: true });
}

/** Runs axe on the page as it stands and records every serious or critical violation, with where it is. */
export async function audit(page: Page, label: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(' | ')}`);
  expect.soft(bad, label).toEqual([]);
}
