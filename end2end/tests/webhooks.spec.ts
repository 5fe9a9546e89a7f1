// Outgoing webhooks in a real browser: the plant's owner makes one for a receiver on loopback, copies its secret (shown
// once), sends a test, and sees it delivered in the log; the receiver got one POST whose signature holds with that
// secret. Then the webhook is deleted. The page and its log pass axe.
import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import http from 'node:http';
import crypto from 'node:crypto';
import { login, open, demoPassword } from './helpers';

test('an owner makes a webhook, tests it and sees the signed delivery arrive', async ({ page }) => {
  const got: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  const receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  const port = (receiver.address() as { port: number }).port;
  const url = `http://127.0.0.1:${port}/hook-${Date.now()}`;
  try {
    await login(page, 'dueno@planta.demo', demoPassword);
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    await open(page, '/account/webhooks');
    // An address that is not the web's is refused on its field, in Spanish (a half one, the browser stops itself).
    await page.locator('#f-url').fill('ftp://hooks.ejemplo.com/nexus');
    await page.getByTestId('webhook-create').click();
    await expect(page.locator('#f-url-error')).toContainText('http:// o https://');
    await page.locator('#f-url').fill(url);
    await page.locator('#f-description').fill('ERP de prueba');
    await page.getByTestId('webhook-create').click();
    const secret = (await page.getByTestId('webhook-secret').textContent())!.trim();
    expect(secret).toMatch(/^whsec_/);
    const card = page.getByTestId('webhook').filter({ hasText: url });
    await expect(card).toContainText('ERP de prueba');
    await card.getByTestId('webhook-log').click();
    await expect(page).toHaveURL(/\?hook=\d+/);
    await page.getByTestId('webhook').filter({ hasText: url }).getByTestId('webhook-ping').click();
    // The job sends within seconds; the log looks again by itself while the delivery waits.
    await expect(page.getByTestId('delivery').first()).toHaveAttribute('data-state', 'delivered', { timeout: 30_000 });
    await expect(page.getByTestId('delivery').first()).toContainText('Prueba');
    expect(got.length).toBe(1);
    const signed = got[0].headers['x-nexus-signature'] as string;
    const t = /^t=(\d+),/.exec(signed)![1];
    const mac = crypto.createHmac('sha256', secret).update(`${t}.${got[0].body}`).digest('hex');
    expect(signed).toBe(`t=${t},v1=${mac}`);
    expect(JSON.parse(got[0].body).kind).toBe('ping');
    const axe = await new AxeBuilder({ page }).analyze();
    const bad = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id);
    expect(bad).toEqual([]);
    // Deleting asks once more, then the webhook and its log are gone.
    const again = page.getByTestId('webhook').filter({ hasText: url });
    await again.getByTestId('webhook-delete').click();
    await again.getByTestId('webhook-delete-confirm').click();
    await expect(page.getByTestId('webhook').filter({ hasText: url })).toHaveCount(0);
  } finally {
    receiver.close();
  }
});
