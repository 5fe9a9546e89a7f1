// The parts catalog as a workshop uses it, on the demo catalog the server generates on its first demo start: search by
// number, by words (with a typo), by the vehicle cascade; open a part and see its alternatives; walk the results with
// the keyboard; and the plain GET form without JavaScript.
import { test, expect, APIRequestContext, Page } from '@playwright/test';
import { open, login, shot, demoPassword } from './helpers';

const WORKSHOP = 'taller@taller.demo';

async function token(request: APIRequestContext): Promise<string> {
  const res = await request.post('/api/v1/auth/login', { data: { login: WORKSHOP, password: demoPassword } });
  expect(res.status()).toBe(200);
  return (await res.json()).access_token;
}

type Hit = { id: number; number: string; name: { text: string }[]; alternatives: number; fitment_count: number };

/** A search over the REST API, as a workshop: what the UI tests then look for. */
async function apiSearch(request: APIRequestContext, query: string): Promise<{ total: number; hits: Hit[] }> {
  const res = await request.get(`/api/v1/parts/search?${query}`, { headers: { authorization: `Bearer ${await token(request)}` } });
  expect(res.status()).toBe(200);
  return res.json();
}

type Offer = { bodega: string; number: string; brand: string; price_cents: number; currency: string; stock: number };

/** A part's offers over the REST API, as a workshop (`auth`: its access token). */
async function availability(request: APIRequestContext, auth: string, id: number): Promise<Offer[]> {
  const res = await request.get(`/api/v1/parts/${id}/availability`, { headers: { authorization: `Bearer ${auth}` } });
  expect(res.status()).toBe(200);
  return res.json();
}

/**
 * The first brake-pad part (in the search's order) with alternatives and vehicles that Bodega Demo stocks, and its
 * offers. The demo bodega uploads its stock in the background once the demo catalog is in, so this waits for it; the
 * demo data are generated deterministically, so it is the same part on every run.
 */
async function stockedPart(request: APIRequestContext): Promise<{ part: Hit; offers: Offer[] }> {
  let found: { part: Hit; offers: Offer[] } | undefined;
  await expect
    .poll(
      async () => {
        const auth = await token(request);
        const { hits } = await apiSearch(request, 'q=balatas&limit=100');
        for (const part of hits.filter((h) => h.alternatives > 0 && h.fitment_count > 0)) {
          const offers = await availability(request, auth, part.id);
          if (offers.some((o) => o.bodega === 'Bodega Demo')) {
            found = { part, offers };
            return true;
          }
        }
        return false;
      },
      { timeout: 60_000, intervals: [2_000] },
    )
    .toBe(true);
  return found!;
}

/** An amount as a Mexican organisation's Spanish page writes it (`NumberStyle::money`): "$1,234.50"; another
 * currency by its code first ("USD 899.00"). */
function pesos(cents: number, currency: string): string {
  const units = Math.floor(Math.abs(cents) / 100);
  const grouped = String(units).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const amount = `${grouped}.${String(Math.abs(cents) % 100).padStart(2, '0')}`;
  return `${cents < 0 ? '-' : ''}${currency === 'MXN' ? `$${amount}` : `${currency} ${amount}`}`;
}

// The demo catalog loads in the background on the server's first start: wait for it.
test.beforeAll(async ({ request }) => {
  await expect.poll(async () => (await apiSearch(request, 'q=pastillas')).total ?? 0, { timeout: 60_000 }).toBeGreaterThan(100);
});

async function signIn(page: Page) {
  await login(page, WORKSHOP, demoPassword);
  await expect(page).toHaveURL(/\/$/);
}

test('a number finds its part as you type; the part page shows alternatives by tier, vehicles and the bodegas offers', async ({ page, request }) => {
  test.setTimeout(120_000);
  const { part, offers } = await stockedPart(request);
  await signIn(page);
  await page.getByRole('navigation').getByRole('link', { name: 'Catálogo' }).click();
  await expect(page).toHaveURL(/\/catalog$/);
  await expect(page.getByTestId('catalog-start')).toBeVisible();

  // Typed without its separators, lower case: the same part, found on the key.
  const typed = part.number.replace(/[^0-9A-Za-z]/g, '').toLowerCase();
  await page.getByTestId('catalog-q').pressSequentially(typed, { delay: 20 });
  await expect(page).toHaveURL(new RegExp(`q=${typed}`));
  await expect(page.getByTestId('hit-number').first()).toHaveText(part.number);
  await expect(page.getByTestId('found-by').first()).toContainText('Número original');
  await shot(page, '20-catalog-number');

  await page.getByTestId('hit').first().click();
  await expect(page).toHaveURL(new RegExp(`/catalog/parts/${part.id}`));
  await expect(page.getByTestId('part-number')).toContainText(part.number);
  await expect(page.getByTestId('availability')).toContainText('Disponibilidad en bodegas');
  // A workshop compares bodegas: the offers the API gives, in its order (cheapest first), each with its bodega, the
  // number as the bodega writes it and its price.
  await expect(page.getByTestId('availability-none')).toHaveCount(0);
  await expect(page.getByTestId('offers')).toBeVisible();
  const rows = page.getByTestId('offer');
  await expect(rows).toHaveCount(offers.length);
  for (const [i, offer] of offers.entries()) {
    await expect(rows.nth(i)).toContainText(offer.bodega);
    await expect(rows.nth(i)).toContainText(offer.number);
    await expect(rows.nth(i).getByTestId('offer-price')).toHaveText(pesos(offer.price_cents, offer.currency));
  }
  await expect(rows.filter({ hasText: 'Bodega Demo' }).first()).toBeVisible();
  await expect(page.getByTestId('alternative')).toHaveCount(part.alternatives);
  await expect(page.getByTestId('fits').locator('tbody tr').first()).toBeVisible();
  await shot(page, '21-catalog-part');
  await page.getByTestId('back-to-search').click();
  await expect(page).toHaveURL(new RegExp(`/catalog\\?q=${typed}`));
});

test('words: a typo is corrected and said, synonyms are searched along, matches are marked', async ({ page }) => {
  await signIn(page);
  await open(page, '/catalog?q=amortiguadro');
  await expect(page.getByTestId('corrected')).toContainText('amortiguador');
  await expect(page.getByTestId('hit').first()).toContainText(/Amortiguador|Shock/);
  await open(page, '/catalog?q=balatas%20delanteras');
  await expect(page.getByTestId('understood')).toContainText('pastillas');
  await expect(page.getByTestId('hit').first().locator('mark').first()).toBeVisible();
  await expect(page.getByTestId('groups')).toContainText('Frenos › Pastillas');
  await shot(page, '22-catalog-words');
});

test('the vehicle cascade filters every search and is remembered for the session', async ({ page }) => {
  await signIn(page);
  await open(page, '/catalog?q=balatas');
  const all = await page.getByTestId('results-count').innerText();
  await page.getByTestId('vehicle-make').selectOption('Toyota');
  await expect(page.getByTestId('vehicle-model')).toBeEnabled();
  await page.getByTestId('vehicle-model').selectOption('Hilux');
  await expect(page.getByTestId('vehicle-year')).toBeEnabled();
  await page.getByTestId('vehicle-year').selectOption('2015');
  await expect(page.getByTestId('results-count')).toContainText('Toyota Hilux 2015');
  expect(await page.getByTestId('results-count').innerText()).not.toEqual(all);
  await shot(page, '23-catalog-vehicle');

  // Another search, and a fresh visit of the page: the vehicle still applies.
  await open(page, '/catalog?q=filtro');
  await expect(page.getByTestId('vehicle-make')).toHaveValue('Toyota');
  await expect(page.getByTestId('results-count')).toContainText('Toyota Hilux 2015');
  // A search with nothing for this vehicle says so and offers to clear it.
  await open(page, '/catalog?q=tsuru%20balatas');
  await expect(page.getByTestId('no-results')).toBeVisible();
  await page.getByTestId('vehicle-clear').click();
  await expect(page.getByTestId('vehicle-make')).toHaveValue('');
  await expect(page.getByTestId('hit').first()).toBeVisible();
});

test('the arrow keys walk the results and Enter opens one', async ({ page }) => {
  await signIn(page);
  await open(page, '/catalog?q=pastillas%20delanteras');
  await page.getByTestId('catalog-q').focus();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByTestId('hit').first()).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByTestId('hit').nth(1)).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  await expect(page.getByTestId('catalog-q')).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/catalog\/parts\/\d+/);
});

test('without JavaScript the search is a plain GET form with a shareable URL', async ({ page, browser }) => {
  await signIn(page);
  const cookies = await page.context().cookies();
  const context = await browser.newContext({ javaScriptEnabled: false });
  await context.addCookies(cookies);
  const plain = await context.newPage();
  await plain.goto('/catalog');
  await plain.getByTestId('catalog-q').fill('pastillas delanteras');
  await plain.getByTestId('catalog-q').press('Enter');
  await expect(plain).toHaveURL(/\/catalog\?q=pastillas\+delanteras/);
  await expect(plain.getByTestId('hit').first()).toBeVisible();
  // The cascade applies with the form's button.
  await plain.getByTestId('vehicle-make').selectOption('Nissan');
  await plain.getByTestId('vehicle-apply').click();
  await expect(plain.getByTestId('results-count')).toContainText('Nissan');
  await plain.getByTestId('hit').first().click();
  await expect(plain).toHaveURL(/\/catalog\/parts\/\d+/);
  await expect(plain.getByTestId('part-name')).toBeVisible();
  await context.close();
});

test('a workshop sees its own stock first: "en tu almacén" in the search, on the part, and the way to the item', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page);
  // Taller Demo's shelf is stocked from the catalog once the catalog is in (the same background start): wait for it.
  await expect
    .poll(
      async () => {
        await open(page, '/catalog?q=pastillas%20de%20freno');
        return page.getByTestId('shelf').count();
      },
      { timeout: 60_000, intervals: [2_000] },
    )
    .toBe(1);
  const shelf = page.getByTestId('shelf');
  await expect(shelf.getByRole('heading', { name: 'En tu almacén' })).toBeVisible();
  const first = shelf.getByTestId('hit').first();
  await expect(first.getByTestId('hit-shelf')).toHaveText(/^En tu almacén: 4 pza/);
  const number = (await first.getByTestId('hit-number').innerText()).trim();
  // The same part among the results says so too.
  const again = page.getByTestId('results').getByTestId('hit').filter({ hasText: number });
  if ((await again.count()) > 0) await expect(again.first().getByTestId('hit-shelf')).toBeVisible();
  await shot(page, 'catalog-shelf');
  await first.click();
  await expect(page).toHaveURL(/\/catalog\/parts\/\d+/);
  const own = page.getByTestId('part-shelf');
  await expect(own.getByTestId('part-shelf-qty')).toHaveText('4 pza');
  await own.getByRole('link', { name: `Ver artículo ${number}` }).click();
  await expect(page).toHaveURL(/\/stock\/items\/\d+/);
  await expect(page.getByText(number).first()).toBeVisible();
});
