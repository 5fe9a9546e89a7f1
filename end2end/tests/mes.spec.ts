// The floor's work in two browsers: the manager writes a blocker for the supply role on a line; the line's dashboard
// shows it at the top; the storekeeper, on a tablet-sized page, accepts it, starts it and sends it to review; the
// manager's page, open meanwhile, shows it changed without a reload; the manager approves it and the blocker leaves
// the dashboard. The storekeeper cannot approve their own work (the API refuses, whatever a page shows).
import { test, expect, APIRequestContext, Browser, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { open, login, demoPassword, shot } from './helpers';

const MANAGER = 'gerente@planta.demo';
const SUPPLY = 'almacen@planta.demo';

test.describe.configure({ mode: 'serial', timeout: 180_000 });

const stamp = Date.now().toString().slice(-8);
const title = `Entregar herramental e2e ${stamp}`;

/** A REST caller's bearer header (the pages' cookies are for the pages: a cross-site write needs more). */
async function bearer(request: APIRequestContext, who: string) {
  const res = await request.post('/api/v1/auth/login', { data: { login: who, password: demoPassword } });
  expect(res.status()).toBe(200);
  return { Authorization: `Bearer ${(await res.json()).access_token}` };
}

async function axe(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
}

async function person(browser: Browser, who: string, viewport?: { width: number; height: number }) {
  const context = await browser.newContext(viewport ? { viewport } : {});
  const page = await context.newPage();
  await login(page, who, demoPassword);
  await expect(page).toHaveURL(/\/$/);
  return page;
}

test('a blocker goes from the manager to supply on a tablet and back through review, live in both browsers', async ({ browser, request }) => {
  const manager = await person(browser, MANAGER);
  // The manager writes the blocker: for the supply role, on the first line.
  await open(manager, '/mes/tasks/new');
  await axe(manager);
  await manager.getByTestId('task-title').fill(title);
  await manager.getByTestId('task-description').fill('El portaherramientas de la operación 2.');
  await expect(manager.getByTestId('task-role')).toHaveValue('supply');
  const line = manager.getByTestId('task-line');
  const firstLine = await line.locator('option').nth(1).getAttribute('value');
  await line.selectOption(firstLine!);
  await manager.getByTestId('task-blocker-input').check();
  await shot(manager, 'mes-task-form');
  await manager.getByTestId('task-create').click();
  await expect(manager).toHaveURL(/\/mes\/tasks\/\d+$/);
  const taskUrl = new URL(manager.url()).pathname;
  await expect(manager.getByTestId('task')).toHaveAttribute('data-state', 'open');
  await expect(manager.getByTestId('task-assignee')).toHaveText('Rol Almacén');

  // The line's dashboard shows it at the top.
  await open(manager, `/production?line=${firstLine}`);
  await expect(manager.getByTestId('prod-blocker').filter({ hasText: title })).toBeVisible();
  await shot(manager, 'mes-dashboard-blocker');

  // The storekeeper, on a tablet: the task is in their role's list; they accept, start and send it to review.
  const supply = await person(browser, SUPPLY, { width: 820, height: 1180 });
  await open(supply, '/mes/tasks?view=role');
  await axe(supply);
  await supply.getByTestId('task-link').filter({ hasText: title }).click();
  await expect(supply).toHaveURL(new RegExp(`${taskUrl}$`));
  await supply.waitForSelector('body[data-hydrated]');
  // The manager watches the task meanwhile.
  await open(manager, taskUrl);
  for (const [action, state] of [['accept', 'accepted'], ['start', 'in_progress'], ['send_to_review', 'review']]) {
    const button = supply.getByTestId(`task-do-${action}`);
    await expect(button).toBeVisible();
    const box = await button.boundingBox();
    expect(box!.height).toBeGreaterThanOrEqual(44); // a target for a gloved finger
    await button.click();
    await expect(supply.getByTestId('task')).toHaveAttribute('data-state', state);
  }
  await expect(supply.getByTestId('task-assignee')).toHaveText('Almacenista');
  await shot(supply, 'mes-task-tablet');
  await axe(supply);
  // Four eyes: the storekeeper is offered no review, and the API refuses one all the same.
  await expect(supply.getByTestId('task-do-approve')).toHaveCount(0);
  const id = taskUrl.split('/').pop();
  const refused = await request.post(`/api/v1/mes/tasks/${id}/review`, {
    headers: await bearer(request, SUPPLY), data: { decision: 'approve' },
  });
  expect(refused.status()).toBe(403);
  expect((await refused.json()).problem.rule).toBe('four_eyes');

  // The manager's page followed without a reload; they approve it.
  await expect(manager.getByTestId('task')).toHaveAttribute('data-state', 'review', { timeout: 10_000 });
  await expect(manager.getByTestId('task-changed-live')).toBeVisible();
  await expect(manager.getByTestId('task-event')).toHaveCount(4);
  await manager.getByTestId('task-do-approve').click();
  await expect(manager.getByTestId('task')).toHaveAttribute('data-state', 'done');
  await expect(manager.getByTestId('task-event').last()).toHaveAttribute('data-action', 'approve');
  await axe(manager);

  // Done: the blocker leaves the dashboard.
  await open(manager, `/production?line=${firstLine}`);
  await expect(manager.getByTestId('prod-kpis').or(manager.getByTestId('prod-unconfigured')).first()).toBeVisible();
  await expect(manager.getByTestId('prod-blocker').filter({ hasText: title })).toHaveCount(0);
});

test('two people accepting one task at once: one holds it, the other is told who', async ({ browser, request }) => {
  const manager = await person(browser, MANAGER);
  const managerKey = await bearer(request, MANAGER);
  const made = await request.post('/api/v1/mes/tasks', {
    headers: managerKey,
    data: { title: `Carrera e2e ${stamp}`, assignee_type: 'role', assignee_role: 'manager' },
  });
  expect(made.status()).toBe(201);
  const id = (await made.json()).task.id;
  const owner = await person(browser, 'dueno@planta.demo');
  await open(manager, `/mes/tasks/${id}`);
  // The owner is no manager: not theirs. The manager accepts; a second accept by the manager's other page is told.
  const stale = await person(browser, MANAGER);
  await open(stale, `/mes/tasks/${id}`);
  await manager.getByTestId('task-do-accept').click();
  await expect(manager.getByTestId('task')).toHaveAttribute('data-state', 'accepted');
  // The stale page may have heard the change already; sent with the version it showed, it is refused by name.
  const res = await request.post(`/api/v1/mes/tasks/${id}/accept`, { headers: managerKey, data: { version: 1 } });
  expect(res.status()).toBe(409);
  expect((await res.json()).problem.by.name).toBe('Gerente de planta');
  const ownerTry = await request.post(`/api/v1/mes/tasks/${id}/accept`, { headers: await bearer(request, 'dueno@planta.demo') });
  expect(ownerTry.status()).toBe(409);
});

test('the board shows every state however many open tasks there are, and a comment mentions a person', async ({ browser, request }) => {
  // More open tasks than a column shows (25): the other columns still show theirs (the board once showed the newest
  // 200 of all, and a floor with many open tasks had empty review and done columns), and the open column says so.
  const headers = await bearer(request, MANAGER);
  for (let i = 0; i < 30; i++) {
    const made = await request.post('/api/v1/mes/tasks', {
      headers, data: { title: `Montón e2e ${stamp} ${i}`, assignee_type: 'role', assignee_role: 'operator' },
    });
    expect(made.status()).toBe(201);
  }
  // One of this run's in every other state (the demo's may have been moved by the schemathesis run before the suite).
  const operatorKey = await bearer(request, 'operador@planta.demo');
  const steps: string[][] = [['accept'], ['accept', 'start'], ['accept', 'start', 'send-to-review'], ['accept', 'start', 'send-to-review', 'approve']];
  for (const [n, path] of steps.entries()) {
    const made = await request.post('/api/v1/mes/tasks', {
      headers, data: { title: `Estado e2e ${stamp} ${n}`, assignee_type: 'role', assignee_role: 'operator' },
    });
    expect(made.status()).toBe(201);
    const id = (await made.json()).task.id;
    for (const step of path) {
      const res = step === 'approve'
        ? await request.post(`/api/v1/mes/tasks/${id}/review`, { headers, data: { decision: 'approve' } })
        : await request.post(`/api/v1/mes/tasks/${id}/${step}`, { headers: operatorKey });
      expect(res.status(), `${step}: ${await res.text()}`).toBe(200);
    }
  }
  const manager = await person(browser, MANAGER);
  await open(manager, '/mes/tasks?view=all&state=all&board=1');
  for (const state of ['open', 'accepted', 'in_progress', 'review', 'done']) {
    await expect(manager.getByTestId(`board-${state}`).getByTestId('task-card').first()).toBeVisible();
  }
  await expect(manager.getByTestId('board-open').getByTestId('task-card')).toHaveCount(25);
  await expect(manager.getByTestId('board-open').getByTestId('board-count')).toHaveText('25+');
  await expect(manager.getByTestId('board-open').getByTestId('board-rest')).toHaveAttribute('href', /state=open/);
  await shot(manager, 'mes-board');
  await axe(manager);
  await manager.getByTestId('task-card').first().getByRole('link').click();
  await manager.waitForSelector('body[data-hydrated]');
  await manager.getByTestId('task-comment-input').fill('@almacen revisa esto, por favor');
  await manager.getByTestId('task-comment-send').click();
  await expect(manager.getByTestId('task-comment').last()).toContainText('@almacen revisa esto');
  // A photo of the problem attached to it; a program renamed as a PDF refused, saying why; the photo opens.
  const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
  const attach = manager.getByTestId('task-attach');
  await attach.setInputFiles({ name: 'programa.pdf', mimeType: 'application/pdf', buffer: Buffer.from('4d5a90000300000004000000ffff0000', 'hex') });
  await expect(manager.getByTestId('task-attachments').getByRole('alert')).toContainText('extensión');
  await attach.setInputFiles({ name: 'broca rota.png', mimeType: 'image/png', buffer: png });
  const listed = manager.getByTestId('task-attachment');
  await expect(listed).toHaveCount(1);
  await expect(listed).toContainText('broca rota.png');
  const shown = await manager.request.get((await listed.getByRole('link').getAttribute('href'))!);
  expect(shown.headers()['content-type']).toBe('image/png');
  await axe(manager);
  await shot(manager, 'mes-task-attachment');
});

/** A stage of the plant's, made over REST with a code of this run's (the demo's own may have been changed by the
 * schemathesis run before this suite, which works the same plant). */
async function stage(request: APIRequestContext, headers: Record<string, string>, code: string, needsShift: boolean) {
  const res = await request.post('/api/v1/mes/stages', {
    headers,
    data: { code, name: code.toUpperCase(), needs_shift: needsShift },
  });
  expect(res.status()).toBe(201);
  return (await res.json()).id as number;
}

test('a manager writes an order with its route, an operator records the current shift on it, reverses a fact, and it ends done', async ({ browser, request }) => {
  const OPERATOR = 'operador@planta.demo';
  const headers = await bearer(request, MANAGER);
  const cut = `cor-${stamp}`;
  const check = `ver-${stamp}`;
  await stage(request, headers, cut, true);
  await stage(request, headers, check, false);
  const manager = await person(browser, MANAGER);

  // A new order: refused field by field when empty; then its code, quantity and a route of this run's two stages.
  await open(manager, '/mes/orders/new');
  await manager.getByTestId('order-create').click();
  await expect(manager.locator('#order-code-error')).toBeVisible();
  await expect(manager.locator('#order-quantity-error')).toBeVisible();
  const code = `OP-E2E-${stamp}`;
  await manager.getByTestId('order-code').fill(code);
  await manager.getByTestId('order-name').fill('Soporte de motor e2e');
  await manager.getByTestId('order-quantity-input').fill('10');
  const route = manager.getByTestId('route-stage');
  while ((await route.count()) > 0) await route.first().getByTestId('route-remove').click();
  for (const s of [check, cut]) {
    await manager.getByTestId('route-add-stage').selectOption({ label: `${s} · ${s.toUpperCase()}` });
    await manager.getByTestId('route-add').click();
  }
  await expect(route).toHaveCount(2);
  // Moved: the cut first, then the check.
  await route.nth(1).getByRole('button', { name: `Subir ${cut} · ${cut.toUpperCase()}` }).click();
  await expect(route.first()).toContainText(cut);
  await axe(manager);
  await shot(manager, 'mes-order-form');
  await manager.getByTestId('order-create').click();
  await expect(manager).toHaveURL(/\/mes\/orders\/\d+$/);
  const orderUrl = new URL(manager.url()).pathname;
  await expect(manager.getByTestId('order')).toHaveAttribute('data-state', 'open');
  await expect(manager.getByTestId('order-route').getByTestId('stage-progress')).toHaveCount(2);

  // The operator, on a tablet, opens it: the form starts on the first stage, the current shift and themselves.
  const operator = await person(browser, OPERATOR, { width: 800, height: 1100 });
  await open(operator, orderUrl);
  await expect(operator.getByTestId('shift-banner')).toHaveAttribute('data-on', 'true');
  await expect(operator.getByTestId('fact-shift')).not.toHaveValue('');
  await expect(operator.getByTestId('fact-operator')).not.toHaveValue('');
  // Scrap without its reason is refused under the reason, and nothing is recorded.
  await operator.getByTestId('fact-good').fill('4');
  await operator.getByTestId('fact-scrap').fill('1');
  await operator.getByTestId('fact-save').click();
  await expect(operator.locator('#fact-reason-error')).toBeVisible();
  await expect(operator.getByTestId('fact-row')).toHaveCount(0);
  await operator.getByTestId('fact-reason').selectOption({ index: 1 });
  await operator.getByTestId('fact-save').click();
  await expect(operator.getByTestId('fact-recorded')).not.toBeEmpty();
  await expect(operator.getByTestId('fact-row')).toHaveCount(1);
  const cutting = operator.getByTestId('order-route').getByTestId('stage-progress').first();
  await expect(cutting).toHaveAttribute('data-good', '4');
  await expect(operator.getByTestId('order')).toHaveAttribute('data-state', 'in_progress');
  await axe(operator);
  await shot(operator, 'mes-order-tablet');

  // Counted twice: reversed with the reason, the original struck through and the bar back.
  await operator.getByTestId('fact-reverse').click();
  await operator.getByTestId('reverse-confirm').click();
  await expect(operator.locator('#reverse-reason-error')).toBeVisible();
  await operator.getByTestId('reverse-reason').fill('Se contó dos veces.');
  await operator.getByTestId('reverse-confirm').click();
  await expect(operator.getByTestId('fact-row')).toHaveCount(2);
  await expect(operator.getByTestId('ord-reversed')).toHaveCount(1);
  await expect(operator.getByTestId('ord-reversal')).toHaveCount(1);
  await expect(cutting).toHaveAttribute('data-good', '0');
  await expect(operator.getByTestId('fact-reverse')).toHaveCount(0);

  // The manager's list finds it, a bar per stage.
  await open(manager, `/mes/orders?q=${code}`);
  const row = manager.getByTestId('order-row').filter({ hasText: code });
  await expect(row.getByTestId('stage-progress')).toHaveCount(2);
  await expect(row.getByTestId('order-state')).toHaveAttribute('data-state', 'in_progress');
  await axe(manager);
  await shot(manager, 'mes-orders');

  // Ten good at each stage, and the order is done; the manager's page, open meanwhile, shows it without a reload.
  await open(manager, orderUrl);
  for (const n of [0, 1]) {
    await operator.getByTestId('fact-stage').selectOption({ index: n });
    await operator.getByTestId('fact-good').fill('10');
    await operator.getByTestId('fact-save').click();
    await expect(operator.getByTestId('fact-row')).toHaveCount(3 + n);
  }
  await expect(operator.getByTestId('order')).toHaveAttribute('data-state', 'done');
  await expect(operator.getByTestId('fact-form')).toHaveCount(0);
  await expect(manager.getByTestId('order')).toHaveAttribute('data-state', 'done', { timeout: 15_000 });
  await operator.context().close();
  await manager.context().close();
});

test('an order draws its material from the stock room and its facts on the manual line reach the dashboard live', async ({ browser, request }) => {
  const OWNER = 'dueno@planta.demo';
  const headers = await bearer(request, OWNER);
  // This run's stock: a department, an item of 50 pieces; and an assembly stage on the demo's manual line (L4,
  // counted by people), all over REST.
  let res = await request.post('/api/v1/stock/departments', { headers, data: { code: `ALM-${stamp}`, name: `Almacén ${stamp}` } });
  expect(res.status()).toBe(201);
  const department = (await res.json()).id as number;
  const sku = `TOR-${stamp}`;
  res = await request.post('/api/v1/stock/items', { headers, data: { sku, name: 'Tornillo M8 e2e', unit: 'piece' } });
  expect(res.status()).toBe(201);
  const item = (await res.json()).id as number;
  res = await request.post('/api/v1/stock/postings', {
    headers,
    data: { idempotency_key: `rx-${stamp}`, lines: [{ action: 'receive', item, department, quantity: 50 }] },
  });
  expect(res.status()).toBe(201);
  const now = new Date();
  res = await request.get(`/api/v1/production/oee?from=${new Date(now.getTime() - 3_600_000).toISOString()}&to=${now.toISOString()}`, { headers });
  expect(res.status()).toBe(200);
  const manual = ((await res.json()).lines as { line_id: number; code: string }[]).find((l) => l.code === 'L4');
  expect(manual, 'the demo has its manual line').toBeTruthy();
  const asm = `ens-${stamp}`;
  res = await request.post('/api/v1/mes/stages', { headers, data: { code: asm, name: `Ensamble ${stamp}`, line_id: manual!.line_id } });
  expect(res.status()).toBe(201);

  // The owner writes the order, with a product (its units are the product's), through the page.
  const owner = await person(browser, OWNER);
  await open(owner, '/mes/orders/new');
  await owner.getByTestId('order-code').fill(`OP-MAT-${stamp}`);
  await owner.getByTestId('order-name').fill('Soportes con material e2e');
  await owner.getByTestId('order-quantity-input').fill('30');
  await owner.getByTestId('order-product').selectOption({ index: 1 });
  const route = owner.getByTestId('route-stage');
  while ((await route.count()) > 0) await route.first().getByTestId('route-remove').click();
  await owner.getByTestId('route-add-stage').selectOption({ label: `${asm} · Ensamble ${stamp}` });
  await owner.getByTestId('route-add').click();
  await owner.getByTestId('order-create').click();
  await expect(owner).toHaveURL(/\/mes\/orders\/\d+$/);

  // What it needs: an item scanned or typed by its SKU and a quantity.
  const materials = owner.getByTestId('order-materials');
  await expect(materials.getByTestId('materials-empty')).toBeVisible();
  await owner.getByTestId('material-code').fill('NO-EXISTE');
  await owner.getByTestId('material-quantity').fill('20');
  await owner.getByTestId('material-save').click();
  await expect(owner.locator('#material-code-error')).toBeVisible();
  await owner.getByTestId('material-code').fill(sku);
  await owner.getByTestId('material-save').click();
  await expect(materials.getByTestId('material-row')).toHaveCount(1);
  await expect(materials.getByTestId('material-remaining')).toContainText('20');
  // Issued from the order: more than there is is refused by the ledger, and nothing moves; then 15.
  await owner.getByTestId('issue-department').selectOption(String(department));
  await owner.getByTestId('issue-quantity').fill('60');
  await owner.getByTestId('issue-send').click();
  await expect(materials.getByRole('alert')).toBeVisible();
  await expect(materials.getByTestId('material-consumed')).toContainText('0');
  await owner.getByTestId('issue-quantity').fill('15');
  await owner.getByTestId('issue-send').click();
  await expect(materials.getByTestId('material-consumed')).toContainText('15');
  await expect(materials.getByTestId('material-remaining')).toContainText('5');
  await axe(owner);
  await shot(owner, 'mes-order-materials');

  // The manager watches the manual line's dashboard; a fact recorded on the order is there without a reload.
  const manager = await person(browser, MANAGER);
  await open(manager, '/production?line=L4');
  await manager.waitForSelector('body[data-hydrated]');
  const total = manager.getByTestId('kpi-total-value');
  await expect(total).not.toHaveText('—');
  const before = await total.textContent();
  await owner.getByTestId('fact-good').fill('7');
  await owner.getByTestId('fact-save').click();
  await expect(owner.getByTestId('fact-row')).toHaveCount(1);
  await expect.poll(async () => await total.textContent(), { timeout: 15_000 }).not.toBe(before);
  await expect(manager.getByTestId('kpi-sources')).toContainText('de partes de personas');
  await shot(manager, 'production-manual-line');
  await owner.context().close();
  await manager.context().close();
});

test('the terminal keeps a fact recorded with the network cut and sends it once when it is back', async ({ browser, request }) => {
  const headers = await bearer(request, MANAGER);
  const id = await stage(request, headers, `ter-${stamp}`, false);
  const code = `OP-TER-${stamp}`;
  const made = await request.post('/api/v1/mes/orders', { headers, data: { code, name: 'Terminal e2e', quantity: 300, route: [id] } });
  expect(made.status()).toBe(201);
  const orderId = (await made.json()).order.id;
  const task = await request.post('/api/v1/mes/tasks', {
    headers,
    data: { title: `Revisar calibrador e2e ${stamp}`, assignee_type: 'role', assignee_role: 'operator' },
  });
  expect(task.status()).toBe(201);

  const operator = await person(browser, 'operador@planta.demo', { width: 800, height: 1100 });
  await open(operator, '/mes/terminal');
  await expect(operator.getByTestId('terminal-connection')).toHaveAttribute('data-offline', 'false');
  // A task's next step is one tap.
  const mine = operator.getByTestId('terminal-task').filter({ hasText: `Revisar calibrador e2e ${stamp}` });
  await mine.getByTestId('terminal-do-accept').click();
  await expect(mine).toHaveAttribute('data-state', 'accepted');
  // The order's code, as a scanner types it.
  await operator.getByTestId('terminal-find-input').fill(code);
  await operator.getByTestId('terminal-find-input').press('Enter');
  const order = operator.getByTestId('terminal-order').filter({ hasText: code });
  await expect(order).toHaveCount(1);
  await axe(operator);

  // The network drops: the order, its stage, +5: kept in the queue, visibly.
  await operator.context().setOffline(true);
  await order.getByTestId('terminal-pick-order').click();
  await expect(order.getByTestId('terminal-stage').first()).toHaveAttribute('aria-pressed', 'true');
  await order.getByTestId('terminal-record-5').click();
  await expect(operator.getByTestId('terminal-connection')).toHaveAttribute('data-offline', 'true');
  await expect(operator.getByTestId('terminal-waiting')).toHaveCount(1);
  await shot(operator, 'mes-terminal-offline');

  // Back: it is sent by itself, once.
  await operator.context().setOffline(false);
  await expect(operator.getByTestId('terminal-queue')).toHaveAttribute('data-waiting', '0', { timeout: 20_000 });
  await expect(operator.getByTestId('terminal-connection')).toHaveAttribute('data-offline', 'false');
  await expect(order).toContainText('5/300');
  await open(operator, `/mes/orders/${orderId}`);
  await expect(operator.getByTestId('fact-row')).toHaveCount(1);
  await expect(operator.getByTestId('fact-good-cell')).toHaveText('5');
  await operator.context().close();
});

test('a planner sets the floor up: a stage on a line, made and archived; a scrap reason; the grace; a shift reopened', async ({ browser }) => {
  const manager = await person(browser, MANAGER);
  await open(manager, '/mes/setup');
  // A stage refused without its code, then made on a line, then archived.
  await manager.getByTestId('stage-name').fill('Pintura');
  await manager.getByTestId('stage-save').click();
  await expect(manager.locator('#stage-code-error')).toBeVisible();
  await manager.getByTestId('stage-code').fill(`pin-${stamp}`);
  await manager.getByTestId('stage-line').selectOption({ index: 1 });
  await manager.getByTestId('stage-needs-shift').check();
  await manager.getByTestId('stage-save').click();
  const stage = manager.getByTestId('setup-stage').filter({ hasText: `pin-${stamp}` });
  await expect(stage).toContainText('Pintura');
  await stage.getByRole('button').click();
  await manager.getByTestId('setup-stages').getByRole('checkbox').last().check();
  await manager.getByTestId('stage-save').click();
  await expect(stage).toContainText('Archivada');
  // A scrap reason.
  await manager.getByTestId('reason-code').fill(`poro-${stamp}`);
  await manager.getByTestId('reason-name').fill('Poro en pintura');
  await manager.getByTestId('reason-save').click();
  await expect(manager.getByTestId('setup-reason').filter({ hasText: 'Poro en pintura' })).toBeVisible();
  // The grace, refused past a week, then kept.
  await manager.getByTestId('grace-minutes').fill('20000');
  await manager.getByTestId('grace-save').click();
  await expect(manager.locator('#grace-minutes-error')).toBeVisible();
  await manager.getByTestId('grace-minutes').fill('90');
  await manager.getByTestId('grace-save').click();
  await expect(manager.getByTestId('grace-minutes')).toHaveValue('90');
  // A shift reopened needs its reason; with it, it says until when.
  await manager.getByTestId('reopen-save').click();
  await expect(manager.locator('#reopen-reason-error')).toBeVisible();
  await manager.getByTestId('reopen-reason').fill('Faltó registrar la última caja.');
  await manager.getByTestId('reopen-save').click();
  await expect(manager.getByTestId('reopen-done')).not.toBeEmpty();
  await axe(manager);
  await shot(manager, 'mes-setup');
  await manager.context().close();
});
