import { expect, test, type Page } from '@playwright/test';

// The Offers page against the simulated marketplace: desktop, phone and JavaScript off.
// With JS on every edit searches by itself (debounced); with JS off the form is submitted.

const isNoJs = (name: string) => name === 'no-js';

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  return errors;
}

/** With JS on, waits until the page is hydrated (edits search by themselves from then on). */
async function ready(page: Page, project: string) {
  if (!isNoJs(project)) {
    await expect(page.locator('.offers-form[data-live="on"]')).toHaveCount(1);
  }
}

/** Types a query; with JS off, submits the form as a person would. */
async function search(page: Page, project: string, query: string) {
  await ready(page, project);
  await page.getByTestId('query-input').fill(query);
  if (isNoJs(project)) {
    await page.getByTestId('search-button').click();
  }
}

test('typing a query searches as you type and shows verdict badges', async ({ page }, info) => {
  test.skip(isNoJs(info.project.name), 'needs JavaScript; the no-js project submits the form instead');
  const errors = watchErrors(page);
  await page.goto('/offers');
  await expect(page.getByTestId('offer-row').first()).toBeVisible();
  await ready(page, info.project.name);
  const input = page.getByTestId('query-input');
  await input.click();
  await input.pressSequentially('num_gpus=1 gpu_ram>=40', { delay: 20 });
  await expect(page).toHaveURL(/q=num_gpus%3D1\+gpu_ram%3E%3D40/);
  // The box kept focus and its text while results updated.
  await expect(input).toBeFocused();
  await expect(input).toHaveValue('num_gpus=1 gpu_ram>=40');
  await expect(page.getByTestId('field-min_vram')).toHaveValue('40');
  await expect(page.getByTestId('cli-command')).toContainText("vastai search offers 'num_gpus=1 gpu_ram>=40'");
  const badges = page.getByTestId('verdict-badge');
  await expect(badges.first()).toBeVisible();
  await expect(badges.first()).toHaveText(/^(fits|tight|no)$/);

  // A typo: the positioned error appears beside the box; fixing it brings results back.
  await input.pressSequentially(' reliability=>0.9', { delay: 10 });
  await expect(page.getByTestId('query-error')).toContainText("unknown operator '=>'");
  await expect(page.getByTestId('query-caret').locator('mark')).toHaveText('=');
  await expect(page.getByTestId('results-invalid')).toBeVisible();
  await input.fill('num_gpus=1 gpu_ram>=40 reliability>=0.9');
  await expect(page.getByTestId('query-error')).toHaveCount(0);
  await expect(page.getByTestId('offer-row').first()).toBeVisible();
  expect(errors).toEqual([]);
});

test('a search shows ranked offers with verdicts, reasons and a launch link', async ({ page }, info) => {
  const errors = watchErrors(page);
  await page.goto('/offers');
  await search(page, info.project.name, 'num_gpus=1 gpu_ram>=20');
  await expect(page).toHaveURL(/q=num_gpus/);
  const rows = page.getByTestId('offer-row');
  await expect(rows).toHaveCount(25);
  await expect(page.getByTestId('verdict-counts')).toContainText('fit');
  await expect(page.getByTestId('vram-formula')).toContainText('GiB per GPU');

  // Reasons open on tap (a <details>, so it works without JavaScript too).
  const first = rows.first();
  const reasons = first.getByTestId('verdict-reasons');
  await expect(reasons).toBeHidden();
  await first.getByTestId('verdict-badge').click();
  await expect(reasons).toBeVisible();
  await expect(reasons).toContainText('VRAM per GPU');

  const launch = first.getByTestId('launch-link');
  // The link carries the search (and any run-profile fields) to the launch form.
  await expect(launch).toHaveAttribute('href', /^\/runs\?launch=\d+&q=num_gpus/);
  expect(errors).toEqual([]);
});

test('filters edit the query, and bad fields get a message beside them', async ({ page }, info) => {
  await page.goto('/offers?q=num_gpus%3D1');
  await ready(page, info.project.name);
  await page.getByTestId('field-min_vram').fill('48');
  await page.getByTestId('field-params_b').fill('seven');
  if (isNoJs(info.project.name)) {
    await page.getByTestId('search-button').click();
  }
  await expect(page.getByTestId('query-input')).toHaveValue('num_gpus=1 gpu_ram>=48');
  await expect(page.getByTestId('field-error-params_b')).toHaveText("'seven' is not a number");
  await expect(page.getByTestId('results-invalid')).toBeVisible();
  await page.getByTestId('field-params_b').fill('13');
  if (isNoJs(info.project.name)) {
    await page.getByTestId('search-button').click();
  }
  await expect(page.getByTestId('field-error-params_b')).toHaveCount(0);
  await expect(page.getByTestId('offer-row').first()).toBeVisible();
  await expect(page.getByTestId('vram-formula')).toContainText('13.0B params');
});

test('sorting by a column and paging keep the search', async ({ page }) => {
  await page.goto('/offers?q=num_gpus%3D1');
  await page.getByTestId('sort-dph').click();
  await expect(page).toHaveURL(/sort=dph&dir=asc/);
  await expect(page.locator('th[aria-sort="ascending"]')).toContainText('$/h');
  const prices = async () =>
    (await page.getByTestId('offer-dph').allTextContents()).map((t) => parseFloat(t.replace(/[$/h]/g, '')));
  await expect(page.getByTestId('offer-row')).toHaveCount(25);
  const p1 = await prices();
  expect([...p1].sort((a, b) => a - b)).toEqual(p1);
  await page.getByRole('link', { name: 'Next →' }).first().click();
  await expect(page.getByTestId('pager').first()).toContainText('Page 2 of');
  await expect(page.getByTestId('query-input')).toHaveValue('num_gpus=1');
  const p2 = await prices();
  expect(p2[0]).toBeGreaterThanOrEqual(p1[p1.length - 1]);
});

test('a saved profile can be picked again', async ({ page }, info) => {
  const name = `e2e ${info.project.name} 34B`;
  await page.goto('/offers?q=num_gpus%3D1&params_b=34&mode=qlora&precision=4bit');
  await expect(page.getByTestId('offer-row').first()).toBeVisible();
  await ready(page, info.project.name);
  await page.getByTestId('profile-name').fill(name);
  await page.getByTestId('save-profile').click();
  if (!isNoJs(info.project.name)) {
    await expect(page.getByTestId('save-result')).toContainText('Saved');
  }
  const pick = page.getByTestId('saved-profile').filter({ hasText: name });
  await expect(pick).toBeVisible();
  await page.goto('/offers?q=num_gpus%3D1');
  await page.getByTestId('saved-profile').filter({ hasText: name }).click();
  await expect(page.getByTestId('field-params_b')).toHaveValue('34');
  await expect(page.getByTestId('field-mode')).toHaveValue('qlora');
  await expect(page.getByTestId('vram-formula')).toContainText('34.0B params');
});

test('results are a table on a desktop and stacked cards on a phone', async ({ page }, info) => {
  await page.goto('/offers?q=num_gpus%3D1');
  const row = page.getByTestId('offer-row').first();
  await expect(row).toBeVisible();
  const display = await row.evaluate((el) => getComputedStyle(el).display);
  const header = page.locator('.offers-table thead');
  if (info.project.name === 'phone') {
    expect(display).toBe('block');
    // Headers become "sort by" links; the cells label themselves.
    await expect(page.getByTestId('sort-dph')).toBeVisible();
    expect(await row.locator('td[data-label="$/h"]').evaluate((el) => getComputedStyle(el, '::before').content)).toBe('"$/h"');
    // A card fits the screen: no sideways scrolling.
    const viewport = page.viewportSize()!;
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(scrollWidth).toBeLessThanOrEqual(viewport.width);
    await expect(row.getByTestId('launch-link')).toBeVisible();
  } else {
    expect(display).toBe('table-row');
    await expect(header).toBeVisible();
  }
});
