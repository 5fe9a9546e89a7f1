// The stock room at the counter: the owner scans three items by typing their barcodes (as a USB scanner does), posts
// them as one posting and sees each balance after it; the posting takes one item below its threshold, and the
// storekeeper, signed in in another browser, sees the unread count and the alert arrive without reloading, and
// acknowledges it. A posting that asks for more than there is records nothing and says what is left, per line.
import { test, expect, APIRequestContext, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { open, login, demoPassword, shot } from './helpers';

const OWNER = 'dueno@planta.demo';
const KEEPER = 'almacen@planta.demo';

test.describe.configure({ mode: 'serial', timeout: 180_000 });

async function bearer(request: APIRequestContext, who: string) {
  const res = await request.post('/api/v1/auth/login', { data: { login: who, password: demoPassword } });
  expect(res.status()).toBe(200);
  return { Authorization: `Bearer ${(await res.json()).access_token}` };
}

const stamp = Date.now().toString().slice(-8);
const sku = `E2E-${stamp}`;
const barcode = `299${stamp}`;
// Two more items of the test's own, scanned beside the first.
const others = [`298${stamp}`, `297${stamp}`];
let department = 0;
let itemIds: number[] = [];

// Everything the specs count on is their own (a department, three items, their stock), so what ran before on the same
// server (schemathesis posting as the owner, the other specs) cannot move it.
test.beforeAll(async ({ request }) => {
  const headers = await bearer(request, OWNER);
  const dept = await request.post('/api/v1/stock/departments', {
    headers, data: { code: `E2E${stamp}`, name: `Almacén e2e ${stamp}`, self_issue: false },
  });
  expect(dept.status(), await dept.text()).toBe(201);
  department = (await dept.json()).id;
  const lines = [];
  for (const [n, code] of [barcode, ...others].entries()) {
    const item = await request.post('/api/v1/stock/items', {
      headers,
      data: n === 0
        ? { sku, name: `Guantes de nitrilo e2e ${stamp}`, unit: 'piece', barcodes: [code] }
        : { sku: `LIJA-${stamp}-${n}`, name: `Lija e2e ${n} ${stamp}`, unit: 'piece', barcodes: [code] },
    });
    expect(item.status(), await item.text()).toBe(201);
    lines.push({ action: 'receive', item: (await item.json()).id, department, quantity: 10 });
  }
  itemIds = lines.map((l) => l.item);
  // The first has a level: 10 received, threshold 5; the counter will take 6.
  const level = await request.put(`/api/v1/stock/items/${lines[0].item}/level`, { headers, data: { department, threshold: 5, reorder: 20 } });
  expect(level.status(), await level.text()).toBeLessThan(300);
  const received = await request.post('/api/v1/stock/postings', { headers, data: { idempotency_key: `e2e-${stamp}`, lines } });
  expect(received.status(), await received.text()).toBe(201);
});

/** Posts what the counter holds and waits for what it says: the recorded posting, or (failing the test with its
 * words) a refusal. */
async function postAndSee(page: Page) {
  await page.getByTestId('counter-post').click();
  const done = page.getByTestId('counter-done');
  const refused = page.getByTestId('form-error').or(page.getByTestId('counter-line-error'));
  await expect(done.or(refused).first()).toBeVisible();
  expect(await refused.allTextContents(), 'the counter refused the posting').toEqual([]);
  return done;
}

test('scan three items, post them at once, the alert arrives live in another browser and is acknowledged', async ({ page, browser }) => {
  // The storekeeper's browser, open on the inbox.
  const keeperContext = await browser.newContext();
  const keeper = await keeperContext.newPage();
  await login(keeper, KEEPER, demoPassword);
  await expect(keeper).toHaveURL(/\/$/);
  await open(keeper, '/inbox');
  const badge = keeper.getByTestId('unread-badge');
  const before = Number((await badge.locator('[aria-hidden=true]').textContent()) ?? '0');

  await login(page, OWNER, demoPassword);
  await expect(page).toHaveURL(/\/$/);
  await open(page, '/stock/counter');
  const scan = page.getByTestId('counter-scan');
  await expect(scan).toBeFocused();
  // Pick the department the new item lives in.
  await page.getByTestId('counter-dept').selectOption(String(department));
  for (const code of [...others, barcode]) {
    await scan.fill(code);
    await scan.press('Enter');
  }
  await expect(page.getByTestId('counter-line')).toHaveCount(3);
  // The same item scanned again is one more of it, not a new line.
  await scan.fill(barcode);
  await scan.press('Enter');
  await expect(page.getByTestId('counter-line')).toHaveCount(3);
  const mine = page.locator(`[data-testid=counter-line]`).filter({ hasText: sku });
  await expect(mine.getByTestId('counter-qty')).toHaveValue('2');
  await expect(mine.getByTestId('counter-balance')).toHaveText('10 pza');
  await mine.getByTestId('counter-qty').fill('6');
  await page.getByTestId('counter-person').selectOption({ label: 'Operador de línea' });
  await page.getByTestId('counter-ref').fill('OT-4512');
  await shot(page, 'stock-counter-lines');
  const done = await postAndSee(page);
  await expect(done.getByTestId('counter-done-line')).toHaveCount(3);
  await expect(done.getByTestId('counter-done-line').filter({ hasText: sku })).toContainText('→ 4 pza');
  await expect(page.getByTestId('counter-line')).toHaveCount(0);
  await expect(scan).toBeFocused();
  await shot(page, 'stock-counter-posted');

  // In the other browser, without a reload: the count goes up and the notice is listed.
  await expect(badge.locator('[aria-hidden=true]')).toHaveText(String(before + 1), { timeout: 10_000 });
  const notice = keeper.getByTestId('notice').filter({ hasText: sku });
  await expect(notice).toHaveAttribute('data-state', 'unread');
  await expect(notice).toContainText('quedan 4 pza');
  await shot(keeper, 'stock-inbox');
  await notice.getByTestId('notice-link').click();
  await expect(keeper).toHaveURL(/\/stock\/alerts\?alert=\d+/);
  const alert = keeper.getByTestId('alert').filter({ hasText: sku });
  await expect(alert).toHaveAttribute('data-state', 'open');
  await expect(alert.getByTestId('alert-cause')).toContainText('Dueña de planta');
  await alert.getByTestId('alert-acknowledge').click();
  await expect(alert.getByTestId('alert-ack')).toContainText('Almacenista');
  // Opening the notice read it: the count is back where it was.
  if (before === 0) await expect(badge).toBeHidden({ timeout: 10_000 });
  else await expect(badge.locator('[aria-hidden=true]')).toHaveText(String(before), { timeout: 10_000 });
  await shot(keeper, 'stock-alert-acknowledged');

  // The item's history shows the issue with who, the reference and the running balance.
  await open(page, '/stock');
  await page.getByTestId('items-q').fill(sku);
  await page.getByTestId('items-q').press('Enter');
  await page.getByTestId('stock-item-link').filter({ hasText: sku }).click();
  const issue = page.getByTestId('item-movement').first();
  await expect(issue).toHaveAttribute('data-kind', 'issue');
  await expect(issue).toContainText('OT-4512');
  await expect(issue.getByTestId('item-movement-balance')).toHaveText('4 pza');
  // The level form starts from the chosen department's level as it is. (The search's Enter and the link may each have
  // been a full load: a choice made before the page hydrates reaches no handler.)
  await page.waitForSelector('body[data-hydrated]');
  await page.getByTestId('level-dept').selectOption(String(department));
  await expect(page.getByTestId('level-threshold')).toHaveValue('5');
  await expect(page.getByTestId('level-reorder')).toHaveValue('20');
  await shot(page, 'stock-item');
  await keeperContext.close();
});

test('a posting that takes more than there is records nothing and says what is left', async ({ page }) => {
  await login(page, KEEPER, demoPassword);
  await expect(page).toHaveURL(/\/$/);
  await open(page, '/stock/counter');
  await page.getByTestId('counter-dept').selectOption(String(department));
  const scan = page.getByTestId('counter-scan');
  await scan.fill(sku);
  await scan.press('Enter');
  const line = page.getByTestId('counter-line');
  await expect(line).toHaveCount(1);
  await line.getByTestId('counter-qty').fill('50');
  await page.getByTestId('counter-post').click();
  await expect(line.getByTestId('counter-line-error')).toHaveText('No alcanza: quedan 4 pza.');
  await expect(page.getByTestId('counter-done')).toHaveCount(0);
  // An unknown code says so, and the line stays.
  await scan.fill('no-such-code-000');
  await scan.press('Enter');
  await expect(page.getByTestId('counter-note')).toContainText('no-such-code-000');
  await expect(line).toHaveCount(1);
});

test('a stocktake is counted by scanning and its corrections posted at once', async ({ page }) => {
  await login(page, KEEPER, demoPassword);
  await expect(page).toHaveURL(/\/$/);
  await open(page, '/stock/stocktakes');
  await page.getByTestId('st-dept').selectOption(String(department));
  await page.getByTestId('st-start').click();
  await expect(page).toHaveURL(/\/stock\/stocktakes\/\d+$/);
  await expect(page.getByTestId('st-status')).toHaveAttribute('data-state', 'open');
  const line = page.getByTestId('st-line').filter({ hasText: sku });
  await expect(line).toContainText('Esperado 4 pza');
  // Two scans: two counted.
  for (let i = 0; i < 2; i++) {
    await page.getByTestId('st-scan').fill(barcode);
    await page.getByTestId('st-scan').press('Enter');
    await expect(line.getByTestId('st-count')).toHaveValue(String(i + 1));
  }
  await expect(line.getByTestId('st-difference')).toHaveText('−2');
  await shot(page, 'stock-stocktake');
  await page.getByTestId('st-post').click();
  await expect(page.getByTestId('st-status')).toHaveAttribute('data-state', 'posted');
  await open(page, '/stock?q=' + sku);
  await expect(page.getByTestId('stock-item-total')).toHaveText('2 pza');
});

test('an item\'s label prints from its page: name, SKU, the barcode in bars and in words, at true size', async ({ page }) => {
  await login(page, KEEPER, demoPassword);
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  await open(page, `/stock/items/${itemIds[0]}`);
  await page.getByTestId('item-label').click();
  await expect(page).toHaveURL(new RegExp(`/stock/labels\\?items=${itemIds[0]}$`));
  const sheet = page.getByTestId('label-sheet');
  await expect(sheet).toHaveCount(1);
  await expect(sheet.locator('svg')).toHaveAttribute('width', '210mm');
  await expect(sheet).toContainText(`Guantes de nitrilo e2e`);
  await expect(sheet).toContainText(sku);
  await expect(sheet).toContainText(barcode);
  // 24 copies fill one sheet; 26 labels take two, each downloadable.
  await page.locator('#labels-copies').fill('24');
  await page.locator('form[action="/stock/labels"] button[type=submit]').click();
  await expect(page.getByTestId('label-sheet')).toHaveCount(1);
  await open(page, `/stock/labels?items=${itemIds[0]},${itemIds[1]}&copies=13`);
  await expect(page.getByTestId('label-sheet')).toHaveCount(2);
  const svg = await page.request.get(`/api/v1/stock/labels?items=${itemIds[0]},${itemIds[1]}&copies=13&sheet=2`);
  expect(svg.status()).toBe(200);
  expect(svg.headers()['x-sheets']).toBe('2');
});

test('the owner invites a storekeeper into a department, who joins it on accepting', async ({ page, request }) => {
  const email = `almacen-${stamp}@e2e.test`;
  await login(page, OWNER, demoPassword);
  await expect(page).toHaveURL(/\/$/);
  await open(page, '/admin/users');
  await page.locator('#f-email').fill(email);
  await page.getByTestId('invite-role').selectOption('supply');
  const choice = page.getByTestId('invite-department');
  await expect(choice).toBeVisible();
  await choice.selectOption({ label: `Almacén e2e ${stamp}` });
  await shot(page, 'invite-department');
  await page.getByTestId('invite-submit').click();
  const link = page.getByTestId('invite-link');
  await expect(link).toBeVisible();
  const url = await link.inputValue();
  await page.getByTestId('logout').click();
  await expect(page).toHaveURL(/\/login$/);
  await open(page, new URL(url).pathname);
  await page.locator('#f-name').fill(`Almacenista ${stamp}`);
  await page.locator('#f-password').fill('Turno-De-Noche-2026');
  await page.getByTestId('invitation-accept').click();
  await expect(page).toHaveURL(/\/$/);
  // The owner's list of the room's people has them in that department.
  const headers = await bearer(request, OWNER);
  const people = await (await request.get('/api/v1/stock/people', { headers })).json();
  const departments = await (await request.get('/api/v1/stock/departments', { headers })).json();
  const joined = people.find((p: { name: string }) => p.name === `Almacenista ${stamp}`);
  const dept = departments.find((d: { id: number }) => d.id === joined?.department);
  expect(dept?.name).toBe(`Almacén e2e ${stamp}`);
});

test('the owner sets the room up: a department made and renamed, a category inside another, a person placed', async ({ page }) => {
  await login(page, OWNER, demoPassword);
  await expect(page).toHaveURL(/\/$/);
  await open(page, '/stock');
  await page.getByTestId('stock-setup').click();
  await expect(page).toHaveURL(/\/stock\/setup$/);
  await page.waitForSelector('body[data-hydrated]');
  const departments = page.getByTestId('setup-departments');
  await page.getByTestId('dept-code').fill(`P${stamp}`);
  await page.getByTestId('dept-name').fill(`Pintura ${stamp}`);
  await page.getByTestId('dept-save').click();
  const made = departments.getByTestId('setup-department').filter({ hasText: `Pintura ${stamp}` });
  await expect(made).toBeVisible();
  await made.getByRole('button', { name: /Editar/ }).click();
  await expect(page.getByTestId('dept-name')).toHaveValue(`Pintura ${stamp}`);
  await page.getByTestId('dept-name').fill(`Pintura y acabados ${stamp}`);
  await page.getByTestId('dept-save').click();
  await expect(departments.getByTestId('setup-department').filter({ hasText: `Pintura y acabados ${stamp}` })).toBeVisible();
  // The same code again is refused by field.
  await page.getByTestId('dept-code').fill(`p${stamp}`);
  await page.getByTestId('dept-name').fill('Otra');
  await page.getByTestId('dept-save').click();
  await expect(page.locator('[data-testid="setup-departments"] [role="alert"]').first()).toBeVisible();

  const categories = page.getByTestId('setup-categories');
  await page.getByTestId('cat-name').fill(`Abrasivos ${stamp}`);
  await page.getByTestId('cat-save').click();
  await expect(categories.getByTestId('setup-category').filter({ hasText: `Abrasivos ${stamp}` })).toBeVisible();
  await page.getByTestId('cat-name').fill(`Lijas ${stamp}`);
  await page.getByTestId('cat-parent').selectOption({ label: `Abrasivos ${stamp}` });
  await page.getByTestId('cat-save').click();
  await expect(categories.getByTestId('setup-category').filter({ hasText: `Abrasivos ${stamp} › Lijas ${stamp}` })).toBeVisible();

  // A person placed in the new department stays there.
  const person = page.getByTestId('setup-person').first();
  await person.locator('select').selectOption({ label: `Pintura y acabados ${stamp}` });
  await expect(async () => {
    await page.reload();
    await page.waitForSelector('body[data-hydrated]');
    const chosen = await page.getByTestId('setup-person').first().locator('select option:checked').innerText();
    expect(chosen).toBe(`Pintura y acabados ${stamp}`);
  }).toPass({ timeout: 15_000 });
  await shot(page, 'stock-setup');
});

test('the owner writes an item in the browser and changes it: unit, category, cost, barcodes, a refused barcode said by line', async ({ page }) => {
  await login(page, OWNER, demoPassword);
  await expect(page).toHaveURL(/\/$/);
  await open(page, '/stock');
  await page.getByTestId('stock-new-item').click();
  await expect(page).toHaveURL(/\/stock\/items\/new$/);
  await page.waitForSelector('body[data-hydrated]');
  const newSku = `FORM-${stamp}`;
  await page.getByTestId('item-sku').fill(newSku);
  await page.getByTestId('item-name').fill(`Aceite de corte ${stamp}`);
  await page.getByTestId('item-unit').selectOption('litre');
  await page.getByTestId('item-cost').fill('145.50');
  // A barcode of another item is refused and named by its line; nothing is saved.
  await page.getByTestId('item-barcodes-input').fill(`296${stamp}\n${barcode}`);
  await page.getByTestId('item-save').click();
  await expect(page.locator('#item-barcodes-error')).toHaveText('El código de la línea 2 ya es de otro artículo.');
  await expect(page.getByTestId('form-error')).toHaveCount(0);
  await expect(page).toHaveURL(/\/stock\/items\/new$/);
  await page.getByTestId('item-barcodes-input').fill(`296${stamp}`);
  await shot(page, 'stock-item-form');
  await page.getByTestId('item-save').click();
  await expect(page).toHaveURL(/\/stock\/items\/\d+$/);
  await expect(page.getByTestId('item-barcodes')).toHaveText(`296${stamp}`);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(`Aceite de corte ${stamp}`);
  // Changed: its name and a second barcode; the form starts from what the item is.
  await page.getByTestId('item-edit').click();
  await expect(page).toHaveURL(/\/edit$/);
  await page.waitForSelector('body[data-hydrated]');
  await expect(page.getByTestId('item-sku')).toHaveValue(newSku);
  await expect(page.getByTestId('item-cost')).toHaveValue('145.50');
  await expect(page.getByTestId('item-unit')).toHaveValue('litre');
  await page.getByTestId('item-name').fill(`Aceite soluble de corte ${stamp}`);
  await page.getByTestId('item-barcodes-input').fill(`296${stamp}\n295${stamp}`);
  await page.getByTestId('item-save').click();
  await expect(page).toHaveURL(/\/stock\/items\/\d+$/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(`Aceite soluble de corte ${stamp}`);
  await expect(page.getByTestId('item-barcodes')).toHaveText(`295${stamp}, 296${stamp}`);
});

test('the owner imports the room\'s spreadsheet: a dry run with the refused rows and why, then the import, and the list exported', async ({ page }) => {
  await login(page, OWNER, demoPassword);
  await expect(page).toHaveURL(/\/$/);
  await open(page, '/stock');
  await page.getByTestId('stock-import').click();
  await expect(page).toHaveURL(/\/stock\/import$/);
  await page.waitForSelector('body[data-hydrated]');
  const csv = [
    'Inventario del almacén',
    '',
    'Clave;Descripción;U.M.;Familia;Existencia;Mínimo',
    `IMP-${stamp}-1;Broca de cobalto 1/4;pza;Corte ${stamp} / Brocas;12;4`,
    `IMP-${stamp}-2;Grasa de litio;kg;Grasas ${stamp};3,5;1`,
    `IMP-${stamp}-3;Remache;galón;;5;`,
    `;Sin clave;pza;;1;`,
  ].join('\r\n');
  await page.getByTestId('file-input').setInputFiles({ name: 'almacen.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'latin1') });
  const outcome = page.getByTestId('import-outcome');
  await expect(outcome).toHaveAttribute('data-state', 'dry');
  await expect(page.getByTestId('import-header-row')).toHaveValue('3');
  await expect(page.getByTestId('import-col-sku')).toHaveValue('0');
  await expect(page.getByTestId('import-col-name')).toHaveValue('1');
  await expect(page.getByTestId('import-rows')).toHaveText('4');
  const rejects = page.getByTestId('import-reject');
  await expect(rejects.filter({ hasText: 'galón' })).toContainText('No se reconoce la unidad');
  await expect(rejects.filter({ hasText: 'Fila 7' })).toContainText('Falta SKU');
  // The quantities go to a department: the rows name none, so one is chosen for them, and the file is read again.
  await page.getByTestId('import-department').selectOption({ label: `Almacén e2e ${stamp}` });
  await page.getByTestId('import-reread').click();
  await expect(page.getByTestId('import-department')).toHaveValue(String(department));
  await expect(page.getByTestId('import-rejected')).toHaveText('2');
  await expect(page.getByTestId('import-new')).toHaveText('2');
  await expect(page.getByTestId('import-receipts')).toHaveText('2');
  await expect(page.getByTestId('import-categories')).toContainText(`Corte ${stamp} › Brocas`);
  await shot(page, 'stock-import-dry');
  const axe = await new AxeBuilder({ page }).analyze();
  expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
  await page.getByTestId('import-commit').click();
  await expect(page.getByTestId('import-done')).toBeVisible();
  await expect(outcome).toHaveAttribute('data-state', 'done');
  // The items are there, with their first stock.
  await open(page, `/stock?q=IMP-${stamp}`);
  await expect(page.getByTestId('stock-item')).toHaveCount(2);
  await page.getByTestId('stock-item').filter({ hasText: `IMP-${stamp}-2` }).getByRole('link').first().click();
  await expect(page.getByTestId('item-total')).toContainText('3.5');
  // The export is the list, in the columns the import reads back.
  const res = await page.request.get('/api/v1/stock/items/export');
  expect(res.status()).toBe(200);
  const text = await res.text();
  expect(text.split('\n')[0]).toBe('sku,name,description,unit,category,barcodes,unit_cost,department,quantity,threshold,reorder');
  expect(text).toContain(`IMP-${stamp}-1,Broca de cobalto 1/4,,piece,Corte ${stamp} / Brocas,,,Almacén e2e ${stamp},12,4,`);
});

test('the movement history is exported in the background, and the page that lists the exports hydrates with them', async ({ page }) => {
  await login(page, OWNER, demoPassword);
  await expect(page).toHaveURL(/\/$/);
  await open(page, '/stock');
  await page.getByTestId('export-dept').selectOption({ label: `Almacén e2e ${stamp}` });
  await expect(page.getByTestId('export-dept').locator('option:checked')).toHaveText(`Almacén e2e ${stamp}`);
  await page.getByTestId('export-kind-receive').check();
  await expect(page.getByTestId('export-kind-receive')).toBeChecked();
  // The list may already hold this person's earlier exports (newest first): the one asked for here is the first row
  // with a newer id than the newest before (once an older, finished export was taken for it and its file checked).
  const rows = page.getByTestId('export');
  const before = (await rows.count()) ? await rows.first().getAttribute('data-id') : '';
  await page.getByTestId('export-go').click();
  await expect(rows.first()).not.toHaveAttribute('data-id', before ?? '');
  const id = await rows.first().getAttribute('data-id');
  // Its progress is shown while the job writes it, and its file is a link once done.
  const mine = page.locator(`[data-testid=export][data-id="${id}"]`);
  await expect(mine).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
  const href = await mine.getByTestId('export-file').getAttribute('href');
  expect(href).toBe(`/api/v1/stock/exports/${id}/file`);
  const file = await page.request.get(href!);
  expect(file.status()).toBe(200);
  expect(await file.text()).toContain(sku);
  // A fresh load lists the exports as the server rendered them (the list once hydrated differently from the page the
  // server sent, and the page never came alive).
  await open(page, '/stock');
  await expect(page.getByTestId('export').first()).toHaveAttribute('data-state', 'done');
});
