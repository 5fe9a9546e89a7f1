// Actions, checks and finders shared by the specs.
import { Page, expect } from '@playwright/test';

export const demoPassword = process.env.E2E_DEMO_PASSWORD ?? 'E2e-Demo-Passw0rd';

/** Opens a page and waits until the WebAssembly has hydrated it (the app marks <body data-hydrated>). */
export async function open(page: Page, path: string) {
  await page.goto(path);
  await page.waitForSelector('body[data-hydrated]');
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
