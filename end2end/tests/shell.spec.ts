import { expect, test } from '@playwright/test';

const pages = [
  { path: '/', heading: 'Run first, analyze in parallel.', title: 'Canopy' },
  { path: '/offers', heading: 'Offers', title: 'Offers · Canopy' },
  { path: '/runs', heading: 'Runs', title: 'Runs · Canopy' },
  { path: '/history', heading: 'History', title: 'History · Canopy' },
  { path: '/spend', heading: 'Spend', title: 'Spend · Canopy' },
  { path: '/settings', heading: 'Settings', title: 'Settings · Canopy' },
];

for (const { path, heading, title } of pages) {
  test(`${path} renders with nav, banner and title`, async ({ page }) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const response = await page.goto(path);
    expect(response?.status()).toBe(200);
    await expect(page).toHaveTitle(title);
    await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
    await expect(page.getByTestId('sim-banner')).toBeVisible();
    const nav = page.getByRole('navigation', { name: 'Sections' });
    for (const label of ['Offers', 'Runs', 'History', 'Spend', 'Settings']) {
      await expect(nav.getByRole('link', { name: label })).toBeVisible();
    }
    expect(errors).toEqual([]);
  });
}

test('nav is a bottom tab bar on a phone and a top bar on a desktop', async ({ page }, info) => {
  await page.goto('/runs');
  const nav = page.getByRole('navigation', { name: 'Sections' });
  const box = await nav.boundingBox();
  const viewport = page.viewportSize();
  expect(box && viewport).toBeTruthy();
  if (info.project.name === 'phone') {
    expect(box!.y + box!.height).toBeGreaterThan(viewport!.height - 2);
    expect(box!.width).toBeGreaterThanOrEqual(viewport!.width - 1);
  } else {
    expect(box!.y).toBeLessThan(80);
  }
  // Every tab fits on screen: no horizontal scrolling at phone width.
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(scrollWidth).toBeLessThanOrEqual(viewport!.width);
});

test('navigating by the nav marks the current section', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Settings' }).click();
  await expect(page).toHaveURL(/\/settings$/);
  await expect(page.getByTestId('marketplace')).toContainText('Built-in simulator');
  const current = page.getByRole('navigation', { name: 'Sections' }).locator('[aria-current="page"]');
  await expect(current).toHaveText(/Settings/);
});

test('unknown address shows the 404 page', async ({ page }) => {
  const response = await page.goto('/definitely/not/here');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
});

test('healthz is JSON', async ({ request }) => {
  const response = await request.get('/healthz');
  expect(response.status()).toBe(200);
  const body = await response.json();
  expect(body).toMatchObject({ database_ok: true, marketplace: 'simulated', database: 'embedded' });
});
