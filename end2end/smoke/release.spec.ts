// Command 1's build, in Chromium: the release site (wasm-opt'ed, split into lazy chunks, content-hashed, precompressed)
// served by the release server hydrates, signs a person in, and loads a lazy page's chunks and works there. What the
// debug suite cannot see: a chunk the optimizer broke, a hashed name the loader cannot find, a release-only panic.
import { test, expect, Page } from '@playwright/test';

const password = process.env.E2E_DEMO_PASSWORD ?? 'E2e-Demo-Passw0rd';

/** Uncaught errors of the page (a hydration panic, a chunk that fails to instantiate) fail the test. */
function watch(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && /panic|RuntimeError|WebAssembly|hydrat/i.test(m.text())) errors.push(m.text()); });
  return errors;
}

test('the release site hydrates, signs in and runs a lazy page', async ({ page }) => {
  const errors = watch(page);
  const chunks: string[] = [];
  page.on('response', (r) => { if (/\.wasm$/.test(new URL(r.url()).pathname)) chunks.push(`${r.status()} ${new URL(r.url()).pathname}`); });

  await page.goto('/login');
  await page.waitForSelector('body[data-hydrated]');
  await expect(page.locator('#f-login')).toBeVisible();

  await page.locator('#f-login').fill('taller@taller.demo');
  await page.locator('#f-password').fill(password);
  await page.locator('main button[type=submit]').click();
  await expect(page).toHaveURL(/\/$/);

  // The catalog is a lazy route: its chunks come from the hashed names in hash.txt, and the box answers as typed
  // (client-side, so the WASM runs) — the demo catalog may still be loading, so either results or the empty state.
  await page.getByRole('navigation').getByRole('link', { name: 'Catálogo' }).click();
  await expect(page).toHaveURL(/\/catalog$/);
  await page.getByTestId('catalog-q').pressSequentially('pastillas', { delay: 20 });
  await expect(page).toHaveURL(/q=pastillas/);
  await expect(page.getByTestId('hit').first().or(page.getByTestId('no-results'))).toBeVisible();

  expect(chunks.filter((c) => !c.startsWith('200 ')), 'every WASM file answers 200').toEqual([]);
  expect(chunks.length, 'the main module and the catalog chunks were fetched').toBeGreaterThan(1);
  expect(errors).toEqual([]);
});
