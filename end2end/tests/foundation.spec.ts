import { test, expect } from '@playwright/test';
import { open, login, logout, shot, demoPassword } from './helpers';

test('a bodega registers, waits for approval, is approved by the admin and logs in', async ({ page }) => {
  const email = `bodega-${Date.now()}@e2e.test`;
  await open(page, '/register');
  await page.getByTestId('kind-warehouse').check();
  await page.locator('#f-name').fill('Rosa Díaz');
  await page.locator('#f-business-name').fill('Refacciones Díaz');
  await page.locator('#f-email').fill(email);
  await page.locator('#f-phone').fill('+52 81 5555 0101');
  await page.locator('#f-address').fill('Av. Constitución 100, Monterrey');
  await page.locator('#f-password').fill('Bodega-Norte-2026');
  await page.locator('main button[type=submit]').click();
  await expect(page).toHaveURL(/\/pending$/);
  await expect(page.getByTestId('pending-notice')).toContainText('pendiente de aprobación');
  await shot(page, '01-pending');

  // Pending accounts cannot log in yet.
  await login(page, email, 'Bodega-Norte-2026');
  await expect(page.getByTestId('form-error')).toContainText('pendiente de aprobación');

  // The admin sees the request with a pending badge and approves it.
  await login(page, 'admin@nexus.demo', demoPassword);
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId('pending-badge')).toBeVisible();
  await open(page, '/admin/users?status=pending');
  const row = page.locator(`tr[data-key="${email}"]`);
  await expect(row).toBeVisible();
  await shot(page, '02-admin-pending');
  await row.getByTestId('user-approve').click();
  await expect(page.getByRole('status').filter({ hasText: 'Usuario aprobado' })).toBeVisible();
  await expect(page.locator(`tr[data-key="${email}"]`)).toHaveCount(0);
  await logout(page);

  // The bodega logs in and sees its home.
  await login(page, email, 'Bodega-Norte-2026');
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId('home')).toHaveAttribute('data-role', 'warehouse');
  await expect(page.getByTestId('home')).toContainText('Hola, Rosa Díaz');
  await expect(page.getByTestId('home')).toContainText('Refacciones Díaz');
  await shot(page, '03-bodega-home');
  await logout(page);
  await open(page, '/');
  await expect(page).toHaveURL(/\/login$/);
});

test('a wrong password shows the message and keeps the user on the login page', async ({ page }) => {
  await login(page, 'admin@nexus.demo', 'NoEsLaClave1');
  await expect(page.getByTestId('form-error')).toHaveText('Correo, usuario o contraseña incorrectos.');
  await expect(page).toHaveURL(/\/login/);
  await shot(page, '04-wrong-password');
});

test('the language switch changes the interface text and is remembered', async ({ page }) => {
  await open(page, '/login');
  await expect(page.locator('h1')).toHaveText('Entrar a Nexus');
  await page.getByTestId('lang-switch').click();
  await expect(page.locator('h1')).toHaveText('Log in to Nexus');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await open(page, '/login');
  await expect(page.locator('h1')).toHaveText('Log in to Nexus');
  await shot(page, '05-english');
  await page.getByTestId('lang-switch').click();
  await expect(page.locator('h1')).toHaveText('Entrar a Nexus');
});

test('signed-in pages render for the user on the server, without a logged-out flash', async ({ page, request }) => {
  await login(page, 'bodega@bodega.demo', demoPassword);
  await expect(page).toHaveURL(/\/$/);
  // The raw server HTML (before any script runs) already shows the signed-in user.
  const cookies = await page.context().cookies();
  const header = cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  const html = await (await request.get('/', { headers: { cookie: header, accept: 'text/html' } })).text();
  expect(html).toContain('data-testid="user-name"');
  expect(html).toContain('data-testid="logout"');
  // No way to the login page is offered to someone already signed in.
  expect(html).not.toMatch(/<a [^>]*href="\/login"/);
});

test('the theme choice survives a reload and another page', async ({ page }) => {
  await open(page, '/login');
  await expect(page.locator('html')).toHaveClass(/dark/);
  await page.getByTestId('theme-toggle').click();
  await expect(page.locator('html')).not.toHaveClass(/dark/);
  // The choice is stored: a reload, and another page, are light from the first paint.
  await expect.poll(async () => (await page.context().cookies()).find((c) => c.name === 'nexus_theme')?.value).toBe('light');
  await open(page, '/login');
  await expect(page.locator('html')).toHaveClass(/light/);
  await open(page, '/register');
  await expect(page.locator('html')).toHaveClass(/light/);
  await shot(page, '06-light');
  // And back to dark, remembered too.
  await page.getByTestId('theme-toggle').click();
  await expect.poll(async () => (await page.context().cookies()).find((c) => c.name === 'nexus_theme')?.value).toBe('dark');
  await open(page, '/login');
  await expect(page.locator('html')).toHaveClass(/dark/);
});

test.describe('in Mexico City', () => {
  test.use({ timezoneId: 'America/Mexico_City' });

  test('dates show in the browser time zone: learned once hydrated, then rendered so by the server', async ({ page }) => {
    await login(page, 'taller@taller.demo', demoPassword);
    await expect(page.getByTestId('home')).toBeVisible();
    // As on a first visit: the server does not know the zone yet.
    await page.context().clearCookies({ name: 'nexus_tz' });
    expect(await (await page.request.get('/account')).text()).toMatch(/\d\d:\d\d UTC</);
    await open(page, '/account');
    const first = page.locator('main time').first();
    // Once hydrated, the page asks the browser, remembers the zone and re-renders its times in it.
    await expect
      .poll(async () => (await page.context().cookies()).find((c) => c.name === 'nexus_tz')?.value)
      .toBe('America/Mexico_City');
    const at = new Date((await first.getAttribute('datetime'))!);
    const local = new Intl.DateTimeFormat('sv-SE', {
      timeZone: 'America/Mexico_City', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
    }).format(at);
    // Said with its offset, so it is never mistaken for UTC or the plant's zone.
    await expect(first).toHaveText(new RegExp(`^${local} \\(UTC[−+]\\d+(:\\d\\d)?\\)$`));
    // The next page comes from the server already in the zone (no flicker from UTC).
    const html = await (await page.request.get('/account')).text();
    expect(html).toContain(local);
    expect(html).not.toMatch(/\d\d:\d\d UTC</);
  });
});

test('signed out, a page sends to sign-in and back; failed attempts on the account are told to its owner', async ({ page }) => {
  await open(page, '/production');
  await expect(page).toHaveURL(/\/login\?next=%2Fproduction$/);
  // Someone guesses the viewer's password twice...
  for (const guess of ['Adivinanza-Uno-1', 'Adivinanza-Dos-2']) {
    await page.locator('#f-login').fill('lector@planta.demo');
    await page.locator('#f-password').fill(guess);
    await page.locator('main button[type=submit]').click();
    await expect(page.getByTestId('form-error')).toHaveText('Correo, usuario o contraseña incorrectos.');
  }
  // ...then the viewer signs in, and lands on the page they asked for.
  await page.locator('#f-password').fill(demoPassword);
  await page.locator('main button[type=submit]').click();
  await expect(page).toHaveURL(/\/production$/);
  // Their home says what happened, and what to do.
  await open(page, '/');
  const notice = page.getByTestId('failed-sign-ins');
  await expect(notice).toContainText('Hubo 2 intentos fallidos de entrar a tu cuenta desde tu último ingreso.');
  await expect(notice.getByRole('link')).toHaveAttribute('href', '/account');
  await shot(page, '05-failed-sign-ins');
  await logout(page);
});

test('a plant registers, is approved, and its owner invites a manager who creates their account from the link', async ({ page }) => {
  const stamp = Date.now();
  const owner = `planta-${stamp}@e2e.test`;
  const manager = `gerente-${stamp}@e2e.test`;
  await open(page, '/register');
  await page.getByTestId('kind-manufacturer').check();
  await page.locator('#f-name').fill('Rosa Méndez');
  await page.locator('#f-business-name').fill(`Troqueles ${stamp}`);
  await page.locator('#f-email').fill(owner);
  await page.locator('#f-phone').fill('+52 442 555 0101');
  await page.locator('#f-address').fill('Parque Industrial 4, Querétaro');
  await page.locator('#f-password').fill('Planta-Bajio-2026');
  await page.locator('main button[type=submit]').click();
  await expect(page).toHaveURL(/\/pending$/);

  await login(page, 'admin@nexus.demo', demoPassword);
  await expect(page).toHaveURL(/\/$/);
  await open(page, '/admin/users?status=pending');
  await page.locator(`tr[data-key="${owner}"]`).getByTestId('user-approve').click();
  await expect(page.getByRole('status').filter({ hasText: 'Usuario aprobado' })).toBeVisible();
  await logout(page);

  // The plant's first account is its owner, who invites a manager (no mail server here: the link is shown).
  await login(page, owner, 'Planta-Bajio-2026');
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId('home')).toHaveAttribute('data-role', 'owner');
  await open(page, '/admin/users');
  await page.locator('#f-email').fill(manager);
  await page.getByTestId('invite-role').selectOption('manager');
  await page.getByTestId('invite-submit').click();
  const link = page.getByTestId('invite-link');
  await expect(link).toBeVisible();
  const url = await link.inputValue();
  expect(url).toContain('/invitation/');
  await expect(page.locator('tr[data-testid="invitation-row"]').first()).toHaveAttribute('data-state', 'pending');
  await shot(page, '06-invitation-link');
  await logout(page);

  // The manager opens the link, chooses a name and a password, and is in.
  await open(page, new URL(url).pathname);
  await expect(page.getByTestId('invitation-summary')).toContainText('Rosa Méndez');
  await expect(page.getByTestId('invitation-summary')).toContainText('Gerente');
  await page.locator('#f-name').fill('Luis Ortega');
  await page.locator('#f-password').fill('Turno-De-Noche-2026');
  await shot(page, '07-invitation-accept');
  await page.getByTestId('invitation-accept').click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId('home')).toHaveAttribute('data-role', 'manager');
  await expect(page.getByTestId('home')).toContainText('Luis Ortega');

  // The link is spent.
  await logout(page);
  await open(page, new URL(url).pathname);
  await expect(page.getByTestId('invitation-problem')).toContainText('ya se usó');
});
