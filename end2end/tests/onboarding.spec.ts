// A new plant on its own, in one go, as a new customer would (issue 23): a manufacturer registers, the platform
// approves it, its owner invites a manager by link, the manager sets the plant's zone, a line (with its areas),
// a product, the shifts and a reason; a machine's key sends units; the checklist completes and the figures are live;
// the manager drills from availability to the stop the gap made and classifies it. axe finds nothing serious on the way.
import { test, expect, Page, APIRequestContext } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { open, login, logout, shot, demoPassword } from './helpers';

async function axeClean(page: Page, label: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  expect.soft(bad, label).toEqual([]);
}

/** A bearer token for `login` (the REST API's own sign-in). */
async function token(request: APIRequestContext, login: string, password: string): Promise<string> {
  const res = await request.post('/api/v1/auth/login', { data: { login, password } });
  expect(res.status()).toBe(200);
  return (await res.json()).access_token;
}

test('a plant signs up, sets itself up, counts its first units and classifies its first stop, unaided', async ({ page, request }) => {
  test.setTimeout(180_000);
  const stamp = Date.now();
  const owner = `duena-${stamp}@e2e.test`;
  const manager = `gerente-${stamp}@e2e.test`;

  // 1. The manufacturer registers itself and waits; the platform approves it.
  await open(page, '/register');
  await page.getByTestId('kind-manufacturer').check();
  await page.locator('#f-name').fill('Marta Garza');
  await page.locator('#f-business-name').fill(`Estampados del Norte ${stamp}`);
  await page.locator('#f-email').fill(owner);
  await page.locator('#f-phone').fill('+52 81 5555 0101');
  await page.locator('#f-address').fill('Av. Industrial 100, Apodaca');
  await page.locator('#f-password').fill('Norte-Estampa-2026');
  await page.locator('main button[type=submit]').click();
  await expect(page).toHaveURL(/\/pending$/);
  await login(page, 'admin@nexus.demo', demoPassword);
  await expect(page).toHaveURL(/\/$/);
  await open(page, '/admin/users?status=pending');
  await page.locator(`tr[data-key="${owner}"]`).getByTestId('user-approve').click();
  await expect(page.getByRole('status').filter({ hasText: 'Usuario aprobado' })).toBeVisible();
  await logout(page);

  // 2. The owner finds the plant's first steps, and invites a manager by a link.
  await login(page, owner, 'Norte-Estampa-2026');
  await expect(page).toHaveURL(/\/$/);
  await open(page, '/production');
  await expect(page.getByTestId('first-steps')).toBeVisible();
  await expect(page.getByTestId('step-lines')).toHaveAttribute('data-done', 'false');
  await axeClean(page, 'a new plant\'s first page');
  await open(page, '/admin/users');
  await page.locator('#f-email').fill(manager);
  await page.getByTestId('invite-role').selectOption('manager');
  await page.getByTestId('invite-submit').click();
  const url = await page.getByTestId('invite-link').inputValue();
  await logout(page);
  await open(page, new URL(url).pathname);
  await page.locator('#f-name').fill('Iván Treviño');
  await page.locator('#f-password').fill('Prensa-Grande-2026');
  await page.getByTestId('invitation-accept').click();
  await expect(page).toHaveURL(/\/$/);

  // 3. The manager sets the plant up: its zone, a line (which gets its areas), a product, two shifts round the
  // clock, a reason in a category.
  await open(page, '/production/settings');
  await page.getByTestId('plant-form').locator('input[name="input[time_zone]"]').fill('America/Monterrey');
  await page.getByTestId('plant-save').click();
  await expect(page.getByTestId('plant-zone')).toContainText('America/Monterrey');
  const line = page.getByTestId('line-form-new');
  await line.locator('input[name="input[code]"]').fill('P1');
  await line.locator('input[name="input[name]"]').fill('Prensa 1');
  await line.locator('input[name="input[downtime_threshold_s]"]').fill('120');
  await line.locator('input[name="input[micro_stop_s]"]').fill('30');
  await line.getByTestId('line-save-new').click();
  await expect(page.getByTestId('set-areas').locator('input[name="input[code]"][value="SAL"]')).toHaveCount(1);
  const product = page.getByTestId('product-form-new');
  await product.locator('input[name="input[code]"]').fill('TAP-01');
  await product.locator('input[name="input[name]"]').fill('Tapa estampada');
  await product.locator('input[name="input[ideal_cycle_s]"]').fill('8');
  await product.getByRole('button', { name: 'Agregar' }).click();
  await expect(page.getByTestId('set-products').locator('input[value="TAP-01"]')).toHaveCount(1);
  for (const [name, start, end] of [['Día', '00:00', '12:00'], ['Noche', '12:00', '00:00']]) {
    const shift = page.getByTestId('shift-form-new');
    await shift.locator('input[name="input[name]"]').fill(name);
    for (const d of ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']) await shift.locator(`input[name="input[${d}]"]`).check();
    await shift.locator('input[name="input[start]"]').fill(start);
    await shift.locator('input[name="input[end]"]').fill(end);
    await shift.getByRole('button', { name: 'Agregar' }).click();
    await expect(page.locator(`[data-shift="${name}"]`)).toBeVisible();
  }
  const reason = page.getByTestId('reason-form-new');
  await reason.locator('input[name="input[code]"]').fill('ATASCO');
  await reason.locator('input[name="input[category]"]').fill('Averías');
  await reason.locator('input[name="input[name]"]').fill('Atasco de lámina');
  await reason.getByRole('button', { name: 'Agregar' }).click();
  await expect(page.getByTestId('set-reasons').locator('input[value="ATASCO"]')).toHaveCount(1);
  await shot(page, 'onboarding-settings');
  await axeClean(page, 'the new plant\'s settings');

  // Every step done but the units: the checklist says so.
  await open(page, '/production');
  await expect(page.getByTestId('step-shifts')).toHaveAttribute('data-done', 'true');
  await expect(page.getByTestId('step-units')).toHaveAttribute('data-done', 'false');

  // 4. The press's counter sends its units with a key: 36 in six minutes, an eight-minute gap, 30 more.
  // (A request of its own, outside the browser's session, as a machine's would be.)
  const bearer = await token(request, manager, 'Prensa-Grande-2026');
  const made = await request.post('/api/v1/api-keys', {
    headers: { Authorization: `Bearer ${bearer}` },
    data: { name: `Prensa 1 ${stamp}`, scopes: ['production:ingest'] },
  });
  expect(made.status()).toBe(201);
  const key = (await made.json()).key;
  const now = Date.now();
  const at = (ms: number) => new Date(now - ms).toISOString();
  const units = [
    ...Array.from({ length: 36 }, (_, i) => ({ at: at(20 * 60_000 - i * 10_000), good: i !== 5 })),
    ...Array.from({ length: 30 }, (_, i) => ({ at: at(6 * 60_000 - i * 10_000), good: i !== 7 })),
  ].map((u) => ({ line: 'P1', area: 'SAL', product: 'TAP-01', ...u }));
  const sent = await request.post('/api/v1/production/detections', {
    headers: { Authorization: `Bearer ${key}` },
    data: { batch_id: `prensa-${stamp}`, detections: units },
  });
  expect(sent.status(), await sent.text()).toBe(201);

  // 5. The checklist is complete and gone; the figures are live.
  await open(page, '/production');
  await expect(page.getByTestId('first-steps')).toHaveCount(0);
  await expect(page.getByTestId('kpi-total-value')).toHaveText('66');
  await expect(page.getByTestId('kpi-oee-value')).not.toHaveText('—');

  // 6. Availability drills to the stop the gap made; it is classified there, and says by whom.
  await page.getByTestId('kpi-availability').click();
  await expect(page).toHaveURL(/drill=availability/);
  await expect(page.getByTestId('timeline-bar')).toHaveCount(1);
  const stops = page.getByTestId('drill-stops').getByTestId('stop-row').filter({ hasNot: page.getByText('En curso') });
  await expect(stops.first()).toBeVisible({ timeout: 60_000 });
  const row = stops.first();
  await row.getByTestId('classify-reason').selectOption({ label: 'Atasco de lámina' });
  await row.getByTestId('classify-save').click();
  await expect(page.getByTestId('drill-stops').getByTestId('stop-row').filter({ hasText: 'Iván Treviño' })).toHaveCount(1);
  await shot(page, 'onboarding-classified');
  await axeClean(page, 'the new plant\'s availability drill-down');
});
