// The REST API's reference (/developers/api): reached from the API-keys page, drawn from the served OpenAPI document
// by Swagger UI from our own assets (nothing fetched from another host), readable and triable with a key, and
// accessible in the states a developer puts it in (an operation tried, the key dialog open), in both themes.
import { test, expect, Page, Request } from '@playwright/test';
import { open, login, logout, demoPassword, audit } from './helpers';

/** Every request the page makes to a host other than ours. */
function offsite(page: Page, base: string): string[] {
  const host = new URL(base).host;
  const seen: string[] = [];
  page.on('request', (r: Request) => {
    const url = new URL(r.url());
    if (url.protocol.startsWith('http') && url.host !== host) seen.push(r.url());
  });
  return seen;
}

async function reference(page: Page) {
  await expect(page.getByTestId('api-reference').locator('.opblock').first()).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('api-reference-loading')).toHaveCount(0);
}

/** The operation's block, found through Swagger UI's filter by area (the list is virtual: only what is near the
 * screen is drawn). */
async function operation(page: Page, area: string, id: string) {
  await page.getByRole('textbox', { name: /Filtrar por área|Filter by area/ }).fill(area);
  const op = page.locator(`#operations-${area}-${id}`);
  await op.scrollIntoViewIfNeeded();
  // The list is drawn again as the filter applies: a click on the block drawn before may be lost.
  const control = op.locator('.opblock-summary-control');
  await expect(async () => {
    if ((await control.getAttribute('aria-expanded')) !== 'true') await control.click();
    await expect(control).toHaveAttribute('aria-expanded', 'true', { timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  return op;
}

test('a developer goes from the keys page to the reference, and tries an operation with the key', async ({ page, baseURL }) => {
  const elsewhere = offsite(page, baseURL!);
  // A manager makes a key that reads production, and follows the link to the reference.
  await login(page, 'gerente@planta.demo', demoPassword);
  await expect(page).toHaveURL(/\/$/);
  await open(page, '/account/api-keys');
  await page.locator('input[name="input[name]"]').fill(`Referencia ${Date.now()}`);
  await page.locator('input[name="input[production_read]"]').check();
  await page.locator('main button[type=submit]').first().click();
  const key = (await page.getByTestId('new-api-key').textContent())!.trim();
  expect(key).toMatch(/^nxk_/);
  await page.getByTestId('to-api-reference').click();
  await expect(page).toHaveURL(/\/developers\/api$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Referencia de la API');
  await reference(page);

  // Signed out, as the ERP's developer would be: the page is public, and an operation tried without the key is
  // refused, with the key it answers.
  await logout(page);
  await open(page, '/developers/api');
  await reference(page);
  await expect(page.getByTestId('openapi-download')).toHaveAttribute('href', '/api/v1/openapi.json');
  const plant = await operation(page, 'production', 'plant');
  await plant.getByRole('button', { name: 'Try it out' }).click();
  await plant.getByRole('button', { name: 'Execute' }).click();
  await expect(plant.locator('.live-responses-table tbody .response-col_status').first()).toHaveText('401');

  await page.locator('.auth-wrapper .authorize').click();
  const dialog = page.locator('.modal-ux');
  await dialog.locator('input[type=text], input[type=password]').first().fill(key);
  await dialog.getByRole('button', { name: 'Apply credentials' }).click();
  await dialog.getByRole('button', { name: /Cerrar|Close/ }).first().click();
  await plant.getByRole('button', { name: 'Execute' }).click();
  await expect(plant.locator('.live-responses-table tbody .response-col_status').first()).toHaveText('200');
  await expect(plant.locator('.live-responses-table tbody .response-col_description')).toContainText('"time_zone"');
  // Swagger UI, its styles and the document all came from this server.
  expect(elsewhere).toEqual([]);
});

test('the reference is accessible while an operation is tried and while the key dialog is open', async ({ page, baseURL }) => {
  test.setTimeout(120_000);
  const host = new URL(baseURL!).hostname;
  for (const theme of ['dark', 'light']) {
    await page.context().addCookies([{ name: 'nexus_theme', value: theme, domain: host, path: '/' }]);
    await open(page, '/developers/api');
    await reference(page);
    // A body to write and parameters to fill.
    const signIn = await operation(page, 'auth', 'login');
    await signIn.getByRole('button', { name: 'Try it out' }).click();
    await expect(signIn.locator('textarea')).toHaveAttribute('aria-label', /Cuerpo de la petición/);
    await signIn.getByRole('button', { name: 'Execute' }).click();
    await expect(signIn.locator('.live-responses-table tbody .response-col_status').first()).toHaveText(/^4\d\d$/);
    await audit(page, `reference, an operation tried, ${theme}`);
    const stops = await operation(page, 'production', 'stops');
    await stops.getByRole('button', { name: 'Try it out' }).click();
    await expect(stops.locator('tr[data-param-name="line"] input')).toHaveAttribute('aria-label', 'line');
    await audit(page, `reference, parameters, ${theme}`);
    // The schemas (below the operations the filter left), one opened.
    const schemas = page.locator('section.models');
    await schemas.scrollIntoViewIfNeeded();
    await schemas.locator('h4 button').first().click();
    await schemas.getByRole('button', { name: 'AcceptRequest' }).click();
    await expect(schemas.locator('article').first().getByRole('button', { name: 'Expand all' }).nth(1)).toBeVisible();
    await audit(page, `reference, the schemas, ${theme}`);
    await page.locator('.auth-wrapper .authorize').click();
    await expect(page.locator('.modal-ux')).toBeVisible();
    await audit(page, `reference, the key dialog, ${theme}`);
    await page.keyboard.press('Escape');
  }
});
