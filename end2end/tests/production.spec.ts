// The plant's dashboards while the simulator sends units through the REST API (nexus-server simulate, with a key the
// owner creates): a manager sees the figures move without reloading when a batch arrives, filters by shift, drills into downtime,
// classifies a stop with a planned reason and sees the downtime and OEE change; the CSV holds what is shown; an
// operator on a tablet classifies the stops of their own line only.
import { test, expect, Page } from '@playwright/test';
import { spawn, ChildProcess } from 'node:child_process';
import { open, login, demoPassword, shot } from './helpers';

const MANAGER = 'gerente@planta.demo';
const OPERATOR = 'operador@planta.demo';
let simulator: ChildProcess | undefined;
let ingestKey = '';

test.describe.configure({ mode: 'serial', timeout: 180_000 });

test.beforeAll(async ({ request }) => {
  const res = await request.post('/api/v1/auth/login', { data: { login: 'dueno@planta.demo', password: demoPassword } });
  const headers = { Authorization: `Bearer ${(await res.json()).access_token}` };
  const key = await request.post('/api/v1/api-keys', {
    headers,
    data: { name: `Simulador e2e ${Date.now()}`, scopes: ['production:ingest'] },
  });
  expect(key.status()).toBe(201);
  ingestKey = (await key.json()).key;
  const server = process.env.E2E_SERVER_BIN;
  expect(server, 'scripts/test names the server binary').toBeTruthy();
  // Six hours of history (a few stops on each line), then live.
  simulator = spawn(server!, ['simulate', '--base-url', process.env.E2E_BASE_URL ?? 'http://127.0.0.1:3000',
    '--api-key', ingestKey, '--backfill-hours', '6', '--seed', '7'], {
    env: { ...process.env, DATABASE_URL: process.env.E2E_DATABASE_URL ?? '' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
});

test.afterAll(() => {
  simulator?.kill();
});

/** "1 h 05 min" or "12 min" as minutes. */
function minutes(text: string | null): number {
  const m = /(?:(\d+) h )?(\d+) min/.exec(text ?? '');
  return m ? Number(m[1] ?? 0) * 60 + Number(m[2]) : NaN;
}

async function number(page: Page, id: string): Promise<string> {
  return (await page.getByTestId(id).textContent())?.trim() ?? '';
}

test('a manager watches the lines live, filters by shift, drills into downtime and classifies a stop', async ({ page }) => {
  await login(page, MANAGER, demoPassword);
  await expect(page).toHaveURL(/\/$/);
  await page.getByRole('link', { name: 'Producción', exact: true }).click();
  await expect(page).toHaveURL(/\/production$/);
  await page.waitForSelector('body[data-hydrated]');
  // The backfill arrives, then live units: the count grows while the page stays as it is (no reload).
  const total = page.getByTestId('kpi-total-value');
  await expect.poll(async () => Number((await total.textContent())?.replace(/\D/g, '') || 0), { timeout: 45_000 }).toBeGreaterThan(0);
  const before = await total.textContent();
  await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
  await expect(page.getByTestId('prod-live')).toContainText('En vivo', { timeout: 15_000 });
  // A machine sends a batch (besides the simulator, whose lines all pause at the shift's break): the page shows it
  // without a reload.
  const now = Date.now();
  const units = Array.from({ length: 25 }, (_, i) => ({
    line: 'L1', area: 'SAL', product: 'SOP-100', at: new Date(now - 30_000 + i * 1000).toISOString(), good: true,
  }));
  const sent = await page.request.post('/api/v1/production/detections', {
    headers: { Authorization: `Bearer ${ingestKey}` },
    data: { batch_id: `e2e-${now}`, detections: units },
  });
  expect(sent.status()).toBe(201);
  await expect.poll(async () => await total.textContent(), { timeout: 30_000 }).not.toBe(before);
  expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed), 'no reload').toBe(true);
  // ECharts is fetched once a chart comes near the screen: scrolled to, it draws.
  await page.locator('#chart-over-time').scrollIntoViewIfNeeded();
  await expect(page.locator('#chart-over-time canvas')).toBeVisible();
  await expect(page.getByTestId('line-row')).toHaveCount(4);
  // The manual line's units are its people's stage facts (the MES demo's assembly), and the page says so.
  await expect(page.getByTestId('line-row').filter({ hasText: 'L4' })).toContainText('Personas');
  await expect(page.getByTestId('line-row').filter({ hasText: 'L1' })).toContainText('Sensores');
  await expect(page.getByTestId('kpi-sources')).toContainText('de partes de personas');
  await shot(page, 'production-manager');

  // Filter by shift: the figures of that shift's runs only, in the URL.
  const shift = page.getByTestId('f-shift');
  const value = await shift.locator('option').nth(1).getAttribute('value');
  await shift.selectOption(value!);
  await page.getByTestId('prod-apply').click();
  await expect(page).toHaveURL(new RegExp(`shift=${value}`));
  await expect(page.getByTestId('kpi-oee-value')).not.toHaveText('');

  // Drill into downtime: its formula with the numbers, and the minutes behind it.
  await shift.selectOption('');
  await page.getByTestId('prod-apply').click();
  await page.getByTestId('kpi-downtime').click();
  await expect(page).toHaveURL(/drill=downtime/);
  await expect(page.getByTestId('drill-formula')).toContainText('Tiempo de operación = Tiempo planeado − Paro');
  await expect(page.getByTestId('drill-minutes').locator('tbody tr').first()).toBeVisible();
  await shot(page, 'production-drill');
  // The times are the plant's, and say so.
  await expect(page.getByTestId('prod-zone')).toContainText('America/Mexico_City');
  // OEE drills to the six big losses, from shift time to fully productive time; availability to each line's
  // breakdowns, MTBF and MTTR.
  await page.getByTestId('kpi-oee').click();
  await expect(page).toHaveURL(/drill=oee/);
  await expect(page.getByTestId('drill-losses')).toContainText('Averías');
  await expect(page.getByTestId('drill-losses')).toContainText('Tiempo plenamente productivo');
  await shot(page, 'production-losses');
  await page.getByTestId('kpi-availability').click();
  await expect(page).toHaveURL(/drill=availability/);
  await expect(page.getByTestId('drill-reliability')).toContainText('MTBF');
  // Availability's causes: each line's timeline (running, stopped, no data, planned stop) and the stops, with who
  // classified them; performance's: cycles by product and micro-stops; quality's: rejects by product and area.
  await expect(page.getByTestId('timeline-bar').first()).toBeVisible();
  await expect(page.getByTestId('timeline-bar').first()).toHaveAttribute('aria-label', /En marcha/);
  await expect(page.getByTestId('drill-stops')).toContainText('Clasificada por');
  await shot(page, 'production-availability');
  await page.getByTestId('kpi-performance').click();
  await expect(page).toHaveURL(/drill=performance/);
  await expect(page.getByTestId('cycles-table').locator('tbody tr').first()).toBeVisible();
  await expect(page.getByTestId('micro-table')).toContainText('L1');
  await shot(page, 'production-performance');
  await page.getByTestId('kpi-quality').click();
  await expect(page).toHaveURL(/drill=quality/);
  await expect(page.getByTestId('rejects-table').locator('tbody tr').first()).toBeVisible();
  await shot(page, 'production-quality');
  const causes = page.waitForEvent('download');
  await page.getByTestId('cause-rejects-h-csv').click();
  expect((await causes).suggestedFilename()).toMatch(/^causas-quality-\d{12}-\d{12}\.csv$/);
  await page.getByTestId('drill-close').click();
  await expect(page.getByTestId('prod-drill')).toHaveCount(0);

  // The stops the downtime job found; the simulator stops so only the classification moves the figures.
  const rows = page.getByTestId('stop-row');
  await expect(rows.first()).toBeVisible({ timeout: 60_000 });
  simulator?.kill();
  await page.waitForTimeout(2_000);
  const ended = rows.filter({ hasNot: page.getByText('En curso') });
  // The latest ended stops may be the gaps over a break (planned time barely touched): up to twelve are tried.
  const candidates = Math.min(await ended.count(), 12);
  expect(candidates).toBeGreaterThan(0);
  let moved = false;
  for (let i = 0; i < candidates && !moved; i++) {
    const downtime = minutes(await number(page, 'kpi-downtime-value'));
    const oee = await number(page, 'kpi-oee-value');
    const row = ended.nth(i);
    await row.getByTestId('classify-reason').selectOption({ label: 'Cambio de modelo (planeado)' });
    await row.getByTestId('classify-save').click();
    // A planned reason takes the stop out of planned time: less downtime, and the OEE moves with it.
    try {
      await expect.poll(async () => minutes(await number(page, 'kpi-downtime-value')), { timeout: 5_000 }).toBeLessThan(downtime);
      await expect(page.getByTestId('kpi-oee-value')).not.toHaveText(oee);
      moved = true;
    } catch {
      // That stop fell outside planned time (a break): it cost nothing to begin with. The next one.
    }
  }
  expect(moved, 'classifying a stop inside planned time as planned lowers downtime').toBe(true);
  await expect(page.getByTestId('pareto-list')).toContainText('Cambio de modelo');
  await shot(page, 'production-classified');

  // A stop the sensors missed is added by hand (times in the plant's zone); the same again is refused, naming the
  // stop in its way; then it is split in two, each part marked as entered by hand.
  const plant = (d: Date) => new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'America/Mexico_City', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
  }).format(d).replace(' ', 'T');
  // A free stretch of L1 in the last six hours (no stop of its own, clear of the breaks at 02:00, 10:00 and 18:00).
  const since = Date.now() - 6 * 3_600_000;
  const listed = await page.request.get(`/api/v1/production/stops?line=L1&limit=500&from=${new Date(since).toISOString()}`);
  expect(listed.status()).toBe(200);
  const spans: number[][] = (await listed.json()).items
    .map((x: { start: string; end?: string }) => [Date.parse(x.start), x.end ? Date.parse(x.end) : Date.now()])
    .sort((a: number[], b: number[]) => a[0] - b[0]);
  const edges = [since, ...spans.flat(), Date.now() - 60_000];
  const inBreak = (t: number) => {
    const [h, m] = plant(new Date(t)).slice(11).split(':').map(Number);
    return [2, 10, 18].some((b) => h * 60 + m >= b * 60 - 5 && h * 60 + m <= b * 60 + 35);
  };
  let free = 0;
  for (let i = edges.length - 2; i >= 0 && !free; i -= 2) {
    for (let t = Math.ceil((edges[i] + 120_000) / 60_000) * 60_000; t + 6 * 60_000 < edges[i + 1]; t += 60_000) {
      if (!inBreak(t) && !inBreak(t + 4 * 60_000)) { free = t; break; }
    }
  }
  expect(free, 'a free stretch of L1').toBeGreaterThan(0);
  const widget = page.getByTestId('w-stops');
  const manual = widget.getByTestId('stop-row').filter({ has: page.getByTestId('stop-manual') });
  const manualBefore = await manual.count();
  const addStop = async () => {
    await widget.getByTestId('stop-add-open').click();
    const form = widget.getByTestId('stop-add');
    await form.locator('select[name=line]').selectOption({ label: 'L1' });
    await form.locator('input[name=start]').fill(plant(new Date(free)));
    await form.locator('input[name=end]').fill(plant(new Date(free + 4 * 60_000)));
    await form.locator('select[name=reason]').selectOption({ label: 'Falla mecánica' });
    await form.getByTestId('stop-add-save').click();
  };
  await addStop();
  await expect(manual).toHaveCount(manualBefore + 1);
  await expect(widget.getByTestId('stop-add')).toBeHidden();
  await addStop();
  await expect(widget.getByTestId('form-error')).toContainText('ya tiene una parada');
  await shot(page, 'production-stop-refused');
  await manual.first().getByTestId('stop-split-open').click();
  await widget.getByTestId('stop-split-save').click();
  await expect(manual).toHaveCount(manualBefore + 2);

  // The CSV holds what the page shows.
  const download = page.waitForEvent('download');
  await page.getByTestId('prod-export').click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^produccion-\d{12}-\d{12}\.csv$/);
});

test('an operator on a tablet sees their dashboard and classifies only their own line', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 820, height: 1180 }, hasTouch: true, isMobile: true });
  const page = await context.newPage();
  await login(page, OPERATOR, demoPassword);
  await expect(page).toHaveURL(/\/$/);
  await open(page, '/production');
  await expect(page.getByTestId('kpi-oee')).toBeVisible();
  await expect(page.getByTestId('w-stops')).toBeVisible();
  // Their template: figures and stops, no charts.
  await expect(page.getByTestId('w-over-time')).toHaveCount(0);
  // Their line is the default view, and every stop they may classify is on it.
  await expect(page.getByTestId('f-line').locator('option:checked')).toContainText('L1');
  const forms = page.getByTestId('stop-row').filter({ has: page.getByTestId('classify-form') });
  for (const row of await forms.all()) {
    await expect(row.locator('td').first()).toHaveText('L1');
  }
  // Classifying one says it was saved (found by outside testing: nothing confirmed it); the count says which stops
  // of how many the page shows.
  await expect(page.getByTestId('stops-count')).toContainText(/Paros 1–\d+ de \d+/);
  const form = forms.first().getByTestId('classify-form');
  await form.getByTestId('classify-reason').selectOption({ index: 1 });
  await form.getByTestId('classify-save').click();
  await expect(page.getByTestId('classify-saved')).toContainText('Clasificación guardada');
  // Other lines' stops are shown without the form.
  await open(page, '/production?line=' + (await page.getByTestId('f-line').locator('option').nth(2).getAttribute('value')));
  await expect(page.getByTestId('classify-form')).toHaveCount(0);
  await shot(page, 'production-operator-tablet');
  await context.close();
});

test('a manager sets a planned stop and the filters, and the owner reads who queried what', async ({ page, browser }) => {
  await login(page, MANAGER, demoPassword);
  await expect(page).toHaveURL(/\/$/);
  await open(page, '/production/settings');
  // Reasons sit in categories (a tree), offered as a new one is typed.
  await expect(page.getByTestId('set-reasons').locator('input[name="input[category]"][value="Averías"]')).toHaveCount(2);
  await expect(page.locator('#reason-categories option[value="Averías"]')).toHaveCount(1);
  // Each line's areas, the codes its machines send: four lines, each with its output SAL.
  await expect(page.getByTestId('set-areas').locator('input[name="input[code]"][value="SAL"]')).toHaveCount(4);
  // The manual bench's own rates: four products, minutes by hand. A new one for L3, a negative one refused naming
  // the field, then saved and removed again with 0 s.
  const cycles = page.getByTestId('set-line-cycles');
  const own = cycles.locator('[data-testid^="line-cycle-form-"]:not([data-testid$="new"])');
  await expect(own).toHaveCount(4);
  await expect(own.first()).toContainText('L4');
  const newCycle = cycles.getByTestId('line-cycle-form-new');
  await newCycle.locator('select[name="input[line_id]"]').selectOption({ label: 'L3 · Línea 3 · Ensamble' });
  await newCycle.locator('select[name="input[product_id]"]').selectOption({ label: 'TAP-310 · Tapa de válvulas' });
  await newCycle.locator('input[name="input[ideal_cycle_s]"]').fill('-2');
  await newCycle.locator('input[name="input[ideal_cycle_s]"]').evaluate((e: HTMLInputElement) => e.removeAttribute('min'));
  await newCycle.getByRole('button', { name: 'Agregar' }).click();
  await expect(cycles.getByRole('alert')).toContainText('Ciclo ideal (s)');
  await expect(own).toHaveCount(4);
  await newCycle.locator('input[name="input[ideal_cycle_s]"]').fill('2.5');
  await newCycle.getByRole('button', { name: 'Agregar' }).click();
  await expect(own).toHaveCount(5);
  await expect(cycles.getByRole('alert')).toHaveCount(0);
  const l3 = own.filter({ hasText: 'L3' });
  await expect(l3).toContainText('Del producto: 2 s');
  await l3.locator('input[name="input[ideal_cycle_s]"]').fill('0');
  await l3.getByRole('button', { name: 'Guardar' }).click();
  await expect(own).toHaveCount(4);
  const morning = page.locator('[data-shift="Matutino"]');
  const stops = morning.locator('[data-testid^="stop-form-"]');
  const before = await stops.count();
  // A meeting astride the meal break is refused, naming the field; nothing is added.
  const fresh = morning.locator('[data-testid^="stop-form-new"]');
  await fresh.locator('input[name="input[name]"]').fill('Junta de arranque');
  await fresh.locator('input[name="input[start]"]').fill('10:15');
  await fresh.locator('input[name="input[end]"]').fill('10:45');
  await fresh.getByRole('button', { name: 'Agregar' }).click();
  const problem = page.getByTestId('set-shifts').getByRole('alert');
  await expect(problem).toContainText('Inicio');
  await expect(stops).toHaveCount(before);
  // Moved clear of the break, it is saved and listed.
  await fresh.locator('input[name="input[start]"]').fill('11:00');
  await fresh.locator('input[name="input[end]"]').fill('11:15');
  await fresh.getByRole('button', { name: 'Agregar' }).click();
  await expect(stops).toHaveCount(before + 1);
  await expect(problem).toHaveCount(0);
  // The form for a new stop is empty again.
  await expect(fresh.locator('input[name="input[name]"]')).toHaveValue('');
  const added = morning.locator('[data-testid^="stop-form-"]:not([data-testid*="new"])')
    .filter({ has: page.locator('input[value="Junta de arranque"]') });
  await expect(added.locator('input[name="input[start]"]')).toHaveValue('11:00');
  await shot(page, 'production-settings-shifts');
  // Removed again (its Eliminar sits next to its form).
  await added.locator('xpath=..').getByRole('button', { name: 'Eliminar' }).click();
  await expect(stops).toHaveCount(before);

  // The viewer's dashboard edited as a form: a stops table added with 9,999 rows is refused naming the widget and the
  // parameter; with 20 rows it is saved, and the grid's preview shows it.
  const viewer = page.getByTestId('dash-viewer');
  await viewer.locator('summary').click();
  const widgetsBefore = await viewer.getByTestId('dash-widget').count();
  await viewer.getByTestId('dash-add-kind').selectOption('downtime_table');
  await viewer.getByTestId('dash-add').click();
  await expect(viewer.getByTestId('dash-widget')).toHaveCount(widgetsBefore + 1);
  const table = viewer.getByTestId('dash-widget').last();
  await table.getByTestId('param-limit').fill('9999');
  await table.getByTestId('param-limit').press('Tab');
  await viewer.getByRole('button', { name: 'Guardar' }).click();
  const dashError = page.getByTestId('set-dashboards').getByTestId('form-error');
  await expect(dashError).toContainText(`Widget ${widgetsBefore + 1} · Filas`);
  await shot(page, 'production-settings-dashboard-refused');
  await table.getByTestId('param-limit').fill('20');
  await table.getByTestId('param-limit').press('Tab');
  await viewer.getByRole('button', { name: 'Guardar' }).click();
  await expect(dashError).toHaveCount(0);
  await expect(page.getByTestId('dash-viewer').getByTestId('dash-preview')).toContainText('Paros');

  // The product filter hidden and the line filter required: the dashboard offers no product and always a line.
  const product = page.getByTestId('filter-form-product');
  await product.locator('input[name="input[enabled]"]').uncheck();
  await product.getByRole('button', { name: 'Guardar' }).click();
  await expect(page.getByTestId('filter-form-product').locator('input[name="input[enabled]"]')).not.toBeChecked();
  const line = page.getByTestId('filter-form-line');
  await line.locator('input[name="input[required]"]').check();
  await line.getByRole('button', { name: 'Guardar' }).click();
  await expect(page.getByTestId('filter-form-line').locator('input[name="input[required]"]')).toBeChecked();
  await open(page, '/production');
  await expect(page.getByTestId('f-product')).toHaveCount(0);
  await expect(page.getByTestId('f-line').locator('option[value=""]')).toHaveCount(0);
  await expect(page.getByTestId('f-line').locator('option:checked')).toContainText('L1');
  // Put back as they were.
  await open(page, '/production/settings');
  await page.getByTestId('filter-form-product').locator('input[name="input[enabled]"]').check();
  await page.getByTestId('filter-form-product').getByRole('button', { name: 'Guardar' }).click();
  await expect(page.getByTestId('filter-form-product').locator('input[name="input[enabled]"]')).toBeChecked();
  await page.getByTestId('filter-form-line').locator('input[name="input[required]"]').uncheck();
  await page.getByTestId('filter-form-line').getByRole('button', { name: 'Guardar' }).click();
  await expect(page.getByTestId('filter-form-line').locator('input[name="input[required]"]')).not.toBeChecked();

  // The owner reads the query log: the manager's dashboard queries, with their filters and durations.
  const context = await browser.newContext();
  const owner = await context.newPage();
  await login(owner, 'dueno@planta.demo', demoPassword);
  await expect(owner).toHaveURL(/\/$/);
  await open(owner, '/production');
  // The owner's Pareto is one level up the reason tree: by category.
  await expect(owner.getByTestId('w-pareto')).toHaveAttribute('data-by', 'category');
  await expect(owner.getByTestId('w-pareto')).toContainText('Pareto de paros por categoría');
  await owner.getByTestId('prod-queries').click();
  await expect(owner).toHaveURL(/\/production\/queries$/);
  const rows = owner.getByTestId('queries-table').locator('tbody tr');
  await expect(rows.filter({ hasText: MANAGER }).first()).toBeVisible();
  // In words: the query's name, its filters by name, times in the plant's zone with their offset.
  await expect(rows.first()).toContainText('Tablero');
  await expect(rows.first().getByTestId('query-filters')).toContainText('Periodo:');
  await expect(rows.first().getByTestId('query-filters')).toContainText(/\(UTC[−+]\d+\)/);
  await expect(rows.first().getByTestId('query-filters')).not.toContainText('bucket=');
  await expect(owner.getByTestId('queries-day')).toBeVisible();
  await shot(owner, 'production-queries');
  await context.close();
});

test('a supervisor opens the last shift\'s report, picks another line, and signs it off', async ({ page }) => {
  await login(page, MANAGER, demoPassword);
  await expect(page).toHaveURL(/\/$/);
  await open(page, '/production');
  await page.getByTestId('prod-report').click();
  await expect(page).toHaveURL(/\/production\/report/);
  // The first line's last shift that has ended, its figures and its stops, not yet signed.
  await expect(page.getByTestId('report-title')).toContainText('L1');
  await expect(page.getByTestId('report-figures')).toContainText('OEE');
  await expect(page.getByTestId('report-unsigned')).toBeVisible();
  // Another line, the same shift: a link.
  await page.getByTestId('report-picker').locator('select[name=line]').selectOption({ label: 'L2 · Línea 2 · Soldadura' });
  await page.getByTestId('report-show').click();
  await expect(page).toHaveURL(/line=\d+&shift=\d+&day=\d{4}-\d{2}-\d{2}/);
  await expect(page.getByTestId('report-title')).toContainText('L2');
  // Signed off with a note: who and when, on the page and in its CSV.
  await page.getByTestId('report-sign-form').locator('input[name=note]').fill('Sin novedades');
  await page.getByTestId('report-sign').click();
  await expect(page.getByTestId('report-signed')).toContainText('Gerente');
  await expect(page.getByTestId('report-signed')).toContainText('Sin novedades');
  await expect(page.getByTestId('report-sign')).toHaveText('Firmar de nuevo');
  await shot(page, 'production-report');
  const file = page.waitForEvent('download');
  await page.getByTestId('report-csv').click();
  expect((await file).suggestedFilename()).toMatch(/^turno-L2-.+\.csv$/);
});
