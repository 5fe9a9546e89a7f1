// axe-core on every page: signed out and as each role, in Spanish and English, dark and light. Zero serious or
// critical violations. Pages a role may not open are visited too: their error state must be as accessible as the page.
import { test, expect, Page } from '@playwright/test';
import { open, login, demoPassword, audit } from './helpers';

const LOCALES = ['es', 'en'] as const;
const THEMES = ['dark', 'light'] as const;
const SIGNED_OUT_PAGES = ['/login', '/register', '/pending', '/developers/api', '/no-such-page'];
const SIGNED_IN_PAGES = ['/', '/account', '/account/api-keys', '/account/webhooks', '/admin/users', '/admin/tenants', '/admin/audit', '/catalog',
  '/catalog?q=hilux%20balatas%20delanteras', '/catalog?q=amortiguadro', '/catalog/parts/1', '/admin/catalog', '/inventory', '/inventory/upload',
  '/production', '/production?drill=oee', '/production?drill=availability', '/production/settings', '/production/queries', '/production/report',
  '/stock', '/stock/items/1', '/stock/labels?items=1,2', '/stock/counter', '/stock/alerts?all=1', '/stock/setup',
  '/stock/items/new', '/stock/items/1/edit', '/stock/import', '/mes/tasks', '/mes/tasks?view=all&state=all&board=1', '/mes/tasks/new',
  '/mes/tasks/1', '/mes/orders', '/mes/orders/1', '/mes/orders/new', '/mes/setup', '/mes/terminal', '/fabrication/parts',
  '/fabrication/board', '/fabrication/parts/1', '/fabrication/parts/new', '/fabrication/stats', '/fabrication/setup', '/inbox',
  '/no-such-page'];
const ROLES: Record<string, string> = {
  admin: 'admin@nexus.demo',
  owner: 'dueno@planta.demo',
  manager: 'gerente@planta.demo',
  operator: 'operador@planta.demo',
  supply: 'almacen@planta.demo',
  viewer: 'lector@planta.demo',
  workshop: 'taller@taller.demo',
  warehouse: 'bodega@bodega.demo',
};

/** Chooses language and theme the way the switches remember them (cookies), so every page renders with them. */
async function prefer(page: Page, locale: string, theme: string) {
  const url = new URL(test.info().project.use.baseURL ?? 'http://127.0.0.1:3000');
  await page.context().addCookies([
    { name: 'i18n_pref_locale', value: locale, domain: url.hostname, path: '/' },
    { name: 'nexus_theme', value: theme, domain: url.hostname, path: '/' },
  ]);
}

async function sweep(page: Page, who: string, paths: string[], locales: readonly string[] = LOCALES,
  themes: readonly string[] = THEMES) {
  for (const locale of locales) {
    for (const theme of themes) {
      await prefer(page, locale, theme);
      // A page the role may not open is the one "forbidden" page, whatever its path: audited once per combination.
      let forbiddenSeen = false;
      for (const path of paths) {
        await open(page, path);
        // The cookies took effect (a wrong cookie name would otherwise audit one combination four times).
        await expect(page.locator('html')).toHaveAttribute('lang', locale);
        await expect(page.locator('html')).toHaveClass(new RegExp(`\\b${theme}\\b`));
        // The API reference is drawn by Swagger UI once its script has come: audited drawn.
        if (path === '/developers/api') await expect(page.locator('#swagger-ui .opblock').first()).toBeVisible({ timeout: 30_000 });
        if (await page.getByTestId('forbidden').count()) {
          if (forbiddenSeen) continue;
          forbiddenSeen = true;
        }
        await audit(page, `${who} ${path} ${locale} ${theme}`);
      }
    }
  }
}

// An invitation's page (a pending invitation of the plant), set up below.
let invitationPath = '/invitation/no-such-token';

// States that once failed contrast are set up so they are audited: a registration waiting for approval (the admin's
// pending badge) and a revoked API key (its greyed row on the owner's keys page); and an invitation, pending in the
// owner's list, whose link's page is audited signed out.
test.beforeAll(async ({ request }) => {
  const res = await request.post('/api/v1/auth/register', {
    data: {
      name: 'Rosa Díaz', email: `a11y-pending-${Date.now()}@e2e.test`, password: 'Taller-Pendiente-2026',
      business_name: 'Taller Pendiente', phone: '+52 55 5555 0101', address: 'Calle 9', kind: 'workshop',
    },
  });
  expect(res.status()).toBe(201);
  const login = await request.post('/api/v1/auth/login', { data: { login: ROLES.owner, password: demoPassword } });
  expect(login.status()).toBe(200);
  const headers = { Authorization: `Bearer ${(await login.json()).access_token}` };
  const key = await request.post('/api/v1/api-keys', { headers, data: { name: `a11y revocada ${Date.now()}`, scopes: ['production:read'] } });
  expect(key.status()).toBe(201);
  const revoked = await request.delete(`/api/v1/api-keys/${(await key.json()).id}`, { headers });
  expect(revoked.status()).toBe(204);
  const invited = await request.post('/api/v1/invitations', { headers, data: { email: `a11y-${Date.now()}@e2e.test`, role: 'viewer' } });
  expect(invited.status()).toBe(201);
  invitationPath = new URL((await invited.json()).link).pathname;
});

// Each test visits up to 47 pages in one theme (or four combinations signed out); axe takes a moment on each (the owner's
// sweep 2.2 min alone, past 4 on a busy machine).
test.describe.configure({ timeout: 420_000 });

test('signed-out pages and their error states', async ({ page }) => {
  await sweep(page, 'signed out', [...SIGNED_OUT_PAGES, invitationPath, '/invitation/no-such-token']);
  // The login form showing an error, and the registration form showing field errors.
  for (const theme of THEMES) {
    await prefer(page, 'es', theme);
    await login(page, 'admin@nexus.demo', 'NoEsLaClave1');
    await expect(page.getByTestId('form-error')).toBeVisible();
    await audit(page, `login error ${theme}`);
    await open(page, '/register');
    await page.locator('#f-name').fill('Ana');
    await page.locator('#f-business-name').fill('Taller Ana');
    await page.locator('#f-email').fill(`a11y-${theme}-${Date.now()}@e2e.test`);
    await page.locator('#f-phone').fill('+52 55 5555 0000');
    await page.locator('#f-address').fill('Calle 1');
    await page.locator('#f-password').fill('corta');
    await page.locator('main button[type=submit]').click();
    await expect(page.locator('[aria-invalid=true]').first()).toBeVisible();
    await audit(page, `register errors ${theme}`);
  }
});

// One test per role and combination of language and theme, so each stays well inside its time however many pages a
// role gains (the owner's Spanish pages in both themes once ran past 4 minutes in one test). axe takes 1-3 s a page:
// every role in three combinations was 29 minutes of CI. The owner and the manager, who between them open every page,
// cover the four combinations (colour contrast is the theme's, a language's own failures are its texts'); every other
// role, whose pages differ by what it may do, is swept in one combination, taken in turn so each is seen.
// Roles outside the floor (the platform's admin, a workshop, a bodega) see one refusal state on every MES and shop
// page: they are swept on one of each, not all thirteen.
const OFF_FLOOR = new Set(['admin', 'workshop', 'warehouse']);
function pagesOf(role: string) {
  const floor = (p: string) => (p.startsWith('/mes/') && p !== '/mes/tasks') || (p.startsWith('/fabrication/') && p !== '/fabrication/board');
  return OFF_FLOOR.has(role) ? SIGNED_IN_PAGES.filter((p) => !floor(p)) : SIGNED_IN_PAGES;
}
const COMBINATIONS = LOCALES.flatMap((locale) => THEMES.map((theme) => [locale, theme] as const));
const FULL: Record<string, number[]> = { owner: [0, 3], manager: [1, 2] };

Object.entries(ROLES).forEach(([role, email], n) => {
  for (const c of FULL[role] ?? [n % COMBINATIONS.length]) {
    const [locale, theme] = COMBINATIONS[c];
    test(`every page as ${role} in ${locale}, ${theme}`, async ({ page }) => {
      await login(page, email, demoPassword);
      await expect(page).toHaveURL(/\/$/);
      if (role === 'admin') await expect(page.getByTestId('pending-badge')).toBeVisible();
      await sweep(page, role, pagesOf(role), [locale], [theme]);
    });
  }
});
