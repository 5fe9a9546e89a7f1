// A bodega's upload as it does it: drags its system's export onto the page (a real drop with a DataTransfer), sees it
// understood (title line skipped, header, delimiter, the rows raw and as read), adjusts the mapping, reads the dry run
// with its rejected rows, commits, downloads the rejected rows; then a workshop sees the stock on the part's page.
import { test, expect, APIRequestContext, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { open, login, logout, shot, demoPassword } from './helpers';

const WAREHOUSE = 'bodega@bodega.demo';
const WORKSHOP = 'taller@taller.demo';

type Hit = { id: number; number: string };

async function parts(request: APIRequestContext, q: string): Promise<Hit[]> {
  const login = await request.post('/api/v1/auth/login', { data: { login: WORKSHOP, password: demoPassword } });
  const token = (await login.json()).access_token;
  const res = await request.get(`/api/v1/parts/search?q=${q}&limit=10`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status()).toBe(200);
  return (await res.json()).hits;
}

/** Drops a file on the drop zone as a browser does when a file is dragged from the desktop. */
async function dropFile(page: Page, name: string, text: string) {
  const transfer = await page.evaluateHandle(({ name, text }) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], name, { type: 'text/csv' }));
    return dt;
  }, { name, text });
  const zone = page.getByTestId('drop-zone');
  await zone.dispatchEvent('dragenter', { dataTransfer: transfer });
  await zone.dispatchEvent('dragover', { dataTransfer: transfer });
  await zone.dispatchEvent('drop', { dataTransfer: transfer });
}

test.beforeAll(async ({ request }) => {
  // The demo catalog loads in the background on the server's first start.
  await expect.poll(async () => (await parts(request, 'filtro')).length, { timeout: 60_000 }).toBeGreaterThan(3);
});

test('a bodega drags in its export, fixes the mapping, reads the dry run, commits; a workshop sees the stock', async ({ page, request }) => {
  const hits = await parts(request, 'filtro');
  const [a, b, c] = hits;
  // A title line above the header; prices as Spanish software writes them; one unknown part, one price as text.
  const csv = [
    'Refaccionaria El Tornillo — existencias al 23/11/2026',
    '',
    'Código;Descripción;Precio ($);Existencia;Almacén;Notas',
    `${a.number};Filtro;1.234,50;7;Pasillo 2;`,
    `${b.number};Filtro;99,00;12;Pasillo 2;`,
    `${c.number};Filtro;N/A;3;Pasillo 2;`,
    'NO-EXISTE-123;Nada;10,00;1;Pasillo 2;',
  ].join('\r\n');

  await login(page, WAREHOUSE, demoPassword);
  await expect(page).toHaveURL(/\/$/);
  await open(page, '/inventory/upload');
  await expect(page.getByTestId('drop-zone')).toBeVisible();
  await dropFile(page, 'existencias.csv', csv);

  // Understood: header under the title, ';' delimiter, mapping suggested, rows raw beside what they mean.
  await expect(page.getByTestId('dry-run')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('header-row')).toHaveValue('3');
  await expect(page.getByTestId('delimiter')).toHaveText(';');
  await expect(page.getByTestId('map-part_number').locator('option:checked')).toHaveText('Código');
  await expect(page.getByTestId('map-location').locator('option:checked')).toHaveText('Almacén');
  await expect(page.getByTestId('preview-row')).toHaveCount(4);
  await expect(page.getByTestId('parsed').first()).toContainText('$1,234.50');
  // Bodega Demo's demo stock may hold some of these parts already: new or changed, 2 valid rows in all.
  await expect(page.getByTestId('count-rows').locator('dd')).toHaveAttribute('data-value', '4');
  await expect(page.getByTestId('count-rejected').locator('dd')).toHaveAttribute('data-value', '2');
  await expect(page.getByTestId('reject')).toHaveCount(2);
  await expect(page.getByTestId('rejects')).toContainText('no está en el catálogo');
  await shot(page, '40-upload-dry-run');
  const axe = await new AxeBuilder({ page }).analyze();
  expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);

  // The bodega keeps everything at its main location: the "Almacén" column is not a location after all.
  await page.getByTestId('map-location').selectOption('');
  await page.getByTestId('apply-mapping').click();
  await expect(page.getByTestId('mapping-source')).toHaveAttribute('data-source', 'chosen', { timeout: 30_000 });
  await expect(page.getByTestId('parsed').first()).toContainText('(ubicación principal)');

  // The rejected rows, as the file had them, with the reason.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-rejects').click()]);
  const rejected = await (await download.createReadStream()).toArray();
  const text = Buffer.concat(rejected).toString('utf8');
  expect(text.split('\n')[0]).toBe('Fila,Código,Descripción,Precio ($),Existencia,Almacén,Notas,Motivo');
  expect(text).toContain('NO-EXISTE-123');
  expect(text).toContain('Precio no es un número: «N/A»');

  // Commit: saved, said, and in the history.
  await page.getByTestId('commit').click();
  await expect(page.getByTestId('committed')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('upload-status')).toHaveAttribute('data-status', 'committed');
  await expect(page.getByTestId('history-row').first()).toHaveAttribute('data-state', 'committed');
  await shot(page, '41-upload-committed');

  // The same file again: its mapping is remembered (saved), and the repeat is said before anything is written.
  await page.getByTestId('start-over').click();
  await dropFile(page, 'existencias.csv', csv);
  await expect(page.getByTestId('dry-run')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('mapping-source')).toHaveAttribute('data-source', 'saved');
  await expect(page.getByTestId('count-unchanged').locator('dd')).toHaveAttribute('data-value', '2');
  await page.getByTestId('discard').click();
  await expect(page.getByTestId('drop-zone')).toBeVisible();

  // A workshop sees the bodega's stock on the part's page.
  await logout(page);
  await login(page, WORKSHOP, demoPassword);
  await expect(page).toHaveURL(/\/$/);
  await open(page, `/catalog/parts/${a.id}`);
  const offer = page.getByTestId('offer').filter({ hasText: '$1,234.50' });
  await expect(offer).toHaveCount(1);
  await expect(offer).toContainText('Bodega Demo');
  await shot(page, '42-part-availability');
});

test('a file that is not a spreadsheet is refused with the reason, and the page stays ready for another', async ({ page }) => {
  await login(page, WAREHOUSE, demoPassword);
  await expect(page).toHaveURL(/\/$/);
  await open(page, '/inventory/upload');
  await page.getByTestId('file-input').setInputFiles({ name: 'factura.csv', mimeType: 'text/csv', buffer: Buffer.from('%PDF-1.7\n%âãÏÓ\n') });
  await expect(page.getByTestId('form-error')).toContainText('no es una hoja de cálculo');
  await expect(page.getByTestId('drop-zone')).toBeVisible();
});
