// The shop's parts in four browsers: the operator asks for a part on a phone; the manager approves it by dragging its
// card on the board; a viewer's board, open meanwhile, moves it live; the operator and the owner claim it at the same
// moment and exactly one gets it, the other told who holds it; the holder completes it; the manager reverts it with a
// reason, and the viewer's board follows; the manager then claims another part by keyboard (the card's "move to"
// list). axe on every page on the way.
import { test, expect, Browser, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { open, login, demoPassword, shot } from './helpers';

const OPERATOR = 'operador@planta.demo';
const MANAGER = 'gerente@planta.demo';
const OWNER = 'dueno@planta.demo';
const VIEWER = 'lector@planta.demo';

test.describe.configure({ mode: 'serial', timeout: 180_000 });

const stamp = Date.now().toString().slice(-8);
const name = `Punzón e2e ${stamp}`;

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

const card = (page: Page, id: string) => page.locator(`[data-testid=part-card][data-key="${id}"]`);

test('a part goes from request to completed and back; one of two claimers wins; the board follows live', async ({ browser }) => {
  const operator = await person(browser, OPERATOR, { width: 390, height: 844 });
  const manager = await person(browser, MANAGER);
  const owner = await person(browser, OWNER);
  const viewer = await person(browser, VIEWER);

  // The operator asks for a part on a phone.
  await open(operator, '/fabrication/parts/new');
  await axe(operator);
  await operator.getByTestId('part-name').fill(name);
  await operator.getByTestId('part-quantity').fill('4');
  await operator.getByTestId('part-material').fill('Acero D2');
  await operator.getByTestId('part-notes').fill('Templar después de maquinar.');
  await shot(operator, 'fab-part-form-phone');
  await operator.getByTestId('part-save').click();
  await expect(operator).toHaveURL(/\/fabrication\/parts\/\d+$/);
  const partUrl = new URL(operator.url()).pathname;
  const id = partUrl.split('/').pop()!;
  await expect(operator.getByTestId('part')).toHaveAttribute('data-state', 'review');
  await expect(operator.getByTestId('part-do-approve')).toHaveCount(0);

  // A viewer watches the board; the manager approves the part by dragging its card to the CNC queue.
  await open(viewer, '/fabrication/board');
  await axe(viewer);
  await expect(card(viewer, id)).toHaveAttribute('data-state', 'review');
  await expect(card(viewer, id).getByTestId('card-move')).toHaveCount(0);
  await open(manager, '/fabrication/board');
  await axe(manager);
  // Grabbed by its edge (its middle holds its "move to" list).
  await card(manager, id).dragTo(manager.getByTestId('board-cnc'), { sourcePosition: { x: 6, y: 6 }, targetPosition: { x: 30, y: 12 } });
  await expect(card(manager, id)).toHaveAttribute('data-state', 'cnc');
  await expect(card(viewer, id)).toHaveAttribute('data-state', 'cnc', { timeout: 10_000 });
  await shot(manager, 'fab-board');

  // The operator and the owner claim it at the same moment: one gets it, the other is told who holds it.
  await open(operator, partUrl);
  await open(owner, partUrl);
  await axe(owner);
  await Promise.all([operator.getByTestId('part-do-claim').click(), owner.getByTestId('part-do-claim').click()]);
  await expect(operator.getByTestId('part')).toHaveAttribute('data-state', 'claimed');
  await expect(owner.getByTestId('part')).toHaveAttribute('data-state', 'claimed');
  const holder = (await operator.getByTestId('part-assignee').textContent())!.trim();
  expect(['Operador de línea', 'Dueña de planta']).toContain(holder);
  const [winner, loser] = holder === 'Operador de línea' ? [operator, owner] : [owner, operator];
  await expect(loser.getByTestId('part-refused')).toContainText(holder);
  await expect(winner.getByTestId('part-countdown')).toContainText(/vence en/);
  await expect(card(viewer, id)).toHaveAttribute('data-state', 'claimed', { timeout: 10_000 });
  await shot(loser, 'fab-part-claim-lost');

  // The holder completes it in one tap; the manager reverts it with a reason.
  await winner.getByTestId('part-do-complete').click();
  await expect(winner.getByTestId('part')).toHaveAttribute('data-state', 'completed');
  await open(manager, partUrl);
  await manager.getByTestId('part-do-revert').click();
  // Without its reason a revert is refused, the part unchanged.
  await expect(manager.locator('#part-comment-error')).toBeVisible();
  await expect(manager.getByTestId('part')).toHaveAttribute('data-state', 'completed');
  await manager.getByTestId('part-step-comment').fill('La medida quedó fuera de tolerancia.');
  await manager.getByTestId('part-do-revert').click();
  await expect(manager.getByTestId('part')).toHaveAttribute('data-state', 'cnc');
  await expect(manager.getByTestId('part-timeline').getByText('La medida quedó fuera de tolerancia.')).toBeVisible();
  await axe(manager);
  await shot(manager, 'fab-part');
  await expect(card(viewer, id)).toHaveAttribute('data-state', 'cnc', { timeout: 10_000 });

  // By keyboard: the manager claims it through the card's "move to" list.
  await open(manager, '/fabrication/board');
  await card(manager, id).getByTestId('card-move').selectOption('claimed');
  await expect(card(manager, id)).toHaveAttribute('data-state', 'claimed');
  await expect(card(manager, id).getByTestId('card-assignee')).toHaveText('Gerente de planta');

  // The table finds it by its holder's name, and "my claims" is the manager's.
  await open(manager, `/fabrication/parts?q=${encodeURIComponent('gerente')}&mine=1`);
  await axe(manager);
  await expect(manager.locator(`[data-testid=part-row][data-key="${id}"]`)).toBeVisible();
  await shot(manager, 'fab-table');

  // The statistics count what the board counts; a lead's set-up keeps the subsystems and the lease.
  await open(manager, '/fabrication/stats');
  await axe(manager);
  const claimed = await manager.getByTestId('stats-total').textContent();
  expect(Number(claimed!.replace(/\D/g, ''))).toBeGreaterThan(100);
  await shot(manager, 'fab-stats');
  await open(manager, '/fabrication/setup');
  await axe(manager);
  await manager.getByTestId('fab-lease-minutes').fill('5');
  await manager.getByTestId('fab-lease-save').click();
  await expect(manager.locator('#fab-lease-minutes-error')).toBeVisible();
  await manager.getByTestId('fab-lease-minutes').fill('480');
  await manager.getByTestId('fab-lease-save').click();
  await expect(manager.getByTestId('fab-lease-saved')).not.toBeEmpty();
  await manager.getByTestId('fab-subsystem-new').fill(`Utillaje ${stamp}`);
  await manager.getByTestId('fab-subsystem-add').click();
  await expect
    .poll(() => manager.$$eval('[data-testid=fab-subsystem] input', (els) => els.map((e) => (e as HTMLInputElement).value)))
    .toContain(`Utillaje ${stamp}`);
  await shot(manager, 'fab-setup');
});
