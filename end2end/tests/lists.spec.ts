// The shared list (app/src/ui/list.rs) as people meet it: on a phone every list is cards of labelled values that never
// scroll sideways, a sortable list offers its orders above the cards, and pages follow each other by their links.
import { test, expect, Page } from '@playwright/test';
import { open, login, shot, demoPassword } from './helpers';

const PHONE = { width: 390, height: 844 };

async function signedIn(page: Page, email: string) {
  await login(page, email, demoPassword);
  await expect(page).toHaveURL(/\/$/);
}

/** The page is no wider than the phone, and the list's first row shows each value under its column's name. */
async function fitsThePhone(page: Page, path: string, table: string) {
  await open(page, path);
  const rows = page.getByTestId(table).locator('tbody tr');
  await expect(rows.first()).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth), `${path} scrolls sideways`).toBeLessThanOrEqual(PHONE.width);
  // Each cell is a labelled value: its column's name (data-label, shown before it) beside what it holds.
  const cell = rows.first().locator('td').first();
  expect(await cell.getAttribute('data-label'), `${path}: a cell names its column`).toBeTruthy();
  expect(await cell.evaluate((td) => getComputedStyle(td).display)).toBe('grid');
  // The header row is there for screen readers only (clipped to a pixel).
  expect((await page.getByTestId(table).locator('thead').boundingBox())?.width ?? 0).toBeLessThanOrEqual(1);
}

/** Signed in as the demo bodega, on its inventory once its items are in (the 2,000 land in the background at start). */
async function bodegaInventory(page: Page) {
  await signedIn(page, 'bodega@bodega.demo');
  await expect(async () => {
    await open(page, '/inventory');
    await expect(page.getByTestId('stock-row').first()).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 60_000 });
}

test.use({ viewport: PHONE });

test('on a phone the admin lists are cards that fit the screen', async ({ page }) => {
  await signedIn(page, 'admin@nexus.demo');
  await fitsThePhone(page, '/admin/users?status=all', 'users-table');
  await fitsThePhone(page, '/admin/tenants', 'tenants-table');
  await fitsThePhone(page, '/admin/audit', 'audit-table');
  await shot(page, 'lists-audit-phone');
});

test('on a phone the bodega sorts and pages its inventory', async ({ page }) => {
  await bodegaInventory(page);
  await fitsThePhone(page, '/inventory', 'stock-table');
  // The orders are offered above the cards; the price order, then its reverse. A link leaves the cards in place
  // until the next page's have come, so each check waits for the order it expects.
  const sortBar = page.getByRole('navigation', { name: 'Ordenar por' });
  const prices = async () =>
    (await page.getByTestId('stock-price').allTextContents()).map((p) => Number(p.replace(/[^\d,]/g, '').replace(',', '.')));
  const inOrder = (xs: number[], desc: boolean) => xs.length > 1 && xs.every((x, i) => i === 0 || (desc ? xs[i - 1] >= x : xs[i - 1] <= x));
  await sortBar.getByRole('link', { name: 'Precio' }).click();
  await expect(page).toHaveURL(/sort=price&dir=asc/);
  await expect.poll(async () => inOrder(await prices(), false)).toBe(true);
  await expect(sortBar.getByRole('link', { name: 'Precio' })).toHaveAttribute('aria-current', 'true');
  await sortBar.getByRole('link', { name: 'Precio' }).click();
  await expect(page).toHaveURL(/sort=price&dir=desc/);
  await expect.poll(async () => inOrder(await prices(), true)).toBe(true);
  const firstPage = await prices();
  // The next page starts where this one ended, and the first page is a link away.
  await page.getByTestId('stock-next').click();
  await expect(page).toHaveURL(/after=/);
  await expect.poll(async () => {
    const next = await prices();
    return inOrder(next, true) && next[0] <= firstPage[firstPage.length - 1] && next[0] !== firstPage[0];
  }).toBe(true);
  await shot(page, 'lists-inventory-phone');
  await page.getByTestId('stock-first').click();
  await expect(page).not.toHaveURL(/after=/);
  await expect.poll(async () => (await prices())[0]).toBe(firstPage[0]);
});

test('a page of rows hydrates body by body, the last one too', async ({ page }) => {
  await bodegaInventory(page);
  // A full page: its rows in bodies of 10, each hydrated in a task of its own (ui::hydration::later).
  const table = page.getByTestId('stock-table');
  const rows = await table.locator('tbody tr').count();
  expect(rows).toBeGreaterThan(10);
  await expect(table.locator('tbody')).toHaveCount(Math.ceil(rows / 10));
  // Hydrated means live: switching the language relabels the cells of the last body as well as the first's.
  const firstCell = table.locator('tbody').first().locator('td').first();
  const lastCell = table.locator('tbody').last().locator('tr').last().locator('td').first();
  await expect(lastCell).toHaveAttribute('data-label', 'Número');
  await page.getByTestId('lang-switch').click();
  await expect(firstCell).toHaveAttribute('data-label', 'Number');
  await expect(lastCell).toHaveAttribute('data-label', 'Number');
});
