// Administration and my account, as a user does them in the browser: suspending an organization, changing my password,
// closing another of my sessions. Each test works on accounts it registers itself, so a failure leaves the demo intact.
import { test, expect, Browser, Page } from '@playwright/test';
import { open, login, logout, shot, demoPassword } from './helpers';

/** Registers a workshop over the REST API and has the admin approve it on the users page; returns its e-mail. */
async function approvedWorkshop(page: Page, business: string, password: string): Promise<string> {
  const email = `${business.toLowerCase().replace(/\W+/g, '-')}-${Date.now()}@e2e.test`;
  const res = await page.request.post('/api/v1/auth/register', {
    data: { name: 'Luis Pérez', email, password, business_name: business, phone: '+52 33 5555 0202', address: 'Calle 5', kind: 'workshop' },
  });
  expect(res.status()).toBe(201);
  await login(page, 'admin@nexus.demo', demoPassword);
  await expect(page).toHaveURL(/\/$/);
  await open(page, `/admin/users?status=pending&q=${encodeURIComponent(email)}`);
  await page.locator(`tr[data-key="${email}"]`).getByTestId('user-approve').click();
  await expect(page.getByRole('status').filter({ hasText: 'Usuario aprobado' })).toBeVisible();
  await logout(page);
  return email;
}

async function signedInPage(browser: Browser, email: string, password: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await login(page, email, password);
  await expect(page).toHaveURL(/\/$/);
  return page;
}

test('the admin suspends an organization: its people are signed out and cannot return until reactivated', async ({ page, browser }) => {
  const business = `Taller Suspendido ${Date.now()}`;
  const email = await approvedWorkshop(page, business, 'Taller-Jalisco-2026');
  const workshop = await signedInPage(browser, email, 'Taller-Jalisco-2026');

  await login(page, 'admin@nexus.demo', demoPassword);
  await expect(page).toHaveURL(/\/$/);
  await page.getByRole('navigation').getByRole('link', { name: 'Organizaciones' }).click();
  await expect(page).toHaveURL(/\/admin\/tenants/);
  await page.locator('#tenant-search').fill(business);
  await page.locator('#tenant-search').press('Enter');
  const row = page.locator(`tr[data-key="${business}"]`);
  await expect(row).toContainText('Activa');
  await expect(row).toContainText('Taller');
  // Suspension asks first, saying what it does.
  await row.getByTestId('tenant-suspend').click();
  await expect(row).toContainText('Se cierran al instante todas sus sesiones');
  await shot(page, '07-tenant-suspend-confirm');
  await row.getByTestId('tenant-suspend-confirm').click();
  await expect(page.getByRole('status').filter({ hasText: 'Organización suspendida' })).toBeVisible();
  await expect(row).toContainText('Suspendida');

  // The workshop's open session has ended: its next page is the login page, saying why; logging in is refused with
  // the organisation's state, not the account's (found by outside testing: "your account is deactivated").
  await workshop.reload();
  await expect(workshop).toHaveURL(/\/login(\?next=[^&]*)?$/);
  await expect(workshop.getByTestId('session-ended')).toHaveAttribute('data-code', 'organisation_suspended');
  await login(workshop, email, 'Taller-Jalisco-2026');
  await expect(workshop.getByTestId('form-error')).toContainText('Tu organización está suspendida');

  await row.getByTestId('tenant-reactivate').click();
  await expect(page.getByRole('status').filter({ hasText: 'Organización reactivada' })).toBeVisible();
  await expect(row).toContainText('Activa');
  await login(workshop, email, 'Taller-Jalisco-2026');
  await expect(workshop).toHaveURL(/\/$/);
});

test('the admin creates a plant and invites its owner, who signs in as the plant\'s owner', async ({ page }) => {
  const name = `Estampados ${Date.now()}`;
  const owner = `jefa-${Date.now()}@e2e.test`;
  await login(page, 'admin@nexus.demo', demoPassword);
  await expect(page).toHaveURL(/\/$/);
  await open(page, '/admin/tenants');
  await page.getByTestId('tenant-new').click();
  await page.getByTestId('tenant-new-kind').selectOption('manufacturer');
  await page.locator('#f-name').fill(name);
  await page.locator('#f-owner-email').fill(owner);
  await page.getByTestId('tenant-new-submit').click();
  const link = page.getByTestId('invite-link');
  await expect(link).toBeVisible();
  const url = new URL(await link.inputValue());
  await page.locator('#tenant-search').fill(name);
  await page.locator('#tenant-search').press('Enter');
  const row = page.locator(`tr[data-key="${name}"]`);
  await expect(row).toContainText('Activa');
  await expect(row).toContainText('Manufactura');
  await shot(page, '08-tenant-created');
  await logout(page);

  await open(page, url.pathname);
  await expect(page.getByTestId('invitation-summary')).toContainText(name);
  await page.locator('#f-name').fill('Marta Jefa');
  await page.locator('#f-password').fill('Estampado-Norte-2026');
  await page.getByTestId('invitation-accept').click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId('home')).toHaveAttribute('data-role', 'owner');
});

test('a user changes their password and closes a session left open elsewhere', async ({ page, browser }) => {
  const email = await approvedWorkshop(page, 'Taller Cuenta', 'Taller-Cuenta-2026');
  const other = await signedInPage(browser, email, 'Taller-Cuenta-2026');
  await login(page, email, 'Taller-Cuenta-2026');
  await expect(page).toHaveURL(/\/$/);
  await open(page, '/account');

  // Two sessions: this one, marked, and the other one, which can be closed from here.
  const sessions = page.getByTestId('sessions').locator('tr[data-testid="session-row"]');
  await expect(sessions).toHaveCount(2);
  await expect(sessions.filter({ hasText: 'Esta sesión' })).toHaveCount(1);
  await expect(page.getByTestId('sessions').locator('tr[data-state="current"]')).toContainText('Esta sesión');
  await shot(page, '08-account-sessions');
  await page.getByTestId('sessions').locator('tr[data-state="other"]').getByRole('button').click();
  await expect(sessions).toHaveCount(1);
  await other.reload();
  await expect(other).toHaveURL(/\/login(\?next=[^&]*)?$/);

  // A wrong current password is said next to its field; nothing changes.
  await page.locator('#f-current-password').fill('No-Es-La-Actual-1');
  await page.locator('#f-new-password').fill('Taller-Cuenta-2027');
  await page.locator('#f-confirm-password').fill('Taller-Cuenta-2027');
  const save = page.locator('section[aria-labelledby=password-h] button[type=submit]');
  await save.click();
  await expect(page.getByTestId('error-current_password')).toBeVisible();
  await page.locator('#f-current-password').fill('Taller-Cuenta-2026');
  await page.locator('#f-new-password').fill('Taller-Cuenta-2027');
  await page.locator('#f-confirm-password').fill('Taller-Cuenta-2027');
  await save.click();
  await expect(page.getByRole('status').filter({ hasText: /contraseña/i })).toBeVisible();
  await logout(page);

  await login(page, email, 'Taller-Cuenta-2026');
  await expect(page.getByTestId('form-error')).toHaveText('Correo, usuario o contraseña incorrectos.');
  await login(page, email, 'Taller-Cuenta-2027');
  await expect(page).toHaveURL(/\/$/);
});
