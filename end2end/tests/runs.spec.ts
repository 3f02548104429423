import { expect, test, type Page } from '@playwright/test';

// Offer → launch → first live numbers, against the simulated marketplace
// (its clock runs CANOPY_SIM_SPEED times faster, see playwright.config.ts):
// the host replays a recorded H200 run over real SSH, the watcher follows it,
// and the Run page updates itself from the server's event stream.

const isNoJs = (name: string) => name === 'no-js';
const H200 = '/offers?q=gpu_name%3DH200+num_gpus%3D1';

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  return errors;
}

async function openLaunchForm(page: Page) {
  await page.goto(H200);
  const launch = page.getByTestId('launch-link').first();
  await expect(launch).toBeVisible();
  await launch.click();
  await expect(page).toHaveURL(/\/runs\?launch=\d+/);
  await expect(page.getByTestId('launch-form')).toBeVisible();
}

test('offer → launch → first live numbers, updating without a reload', async ({ page }, info) => {
  test.skip(isNoJs(info.project.name), 'the no-js project has its own test below');
  test.setTimeout(120_000);
  const errors = watchErrors(page);
  await openLaunchForm(page);
  await page.locator('#launch-smoke_cmd').fill('python train.py --max_steps 60');
  await page.locator('#launch-smoke_steps').fill('60');
  await expect(page.getByTestId('scenario')).toBeVisible();
  await page.getByTestId('scenario').selectOption('healthy_hf');
  await page.getByTestId('launch-button').click();
  await expect(page).toHaveURL(/\/runs\/\d+$/);
  await expect(page.getByTestId('checklist').locator('li')).toHaveCount(7);

  // Live: the step counter moves while we watch (no reload happens here).
  const step = page.getByTestId('live-step');
  await expect(step).toHaveText(/^\d+/, { timeout: 60_000 });
  const first = await step.textContent();
  await expect(step).not.toHaveText(first ?? '', { timeout: 30_000 });

  const firstNumbers = page.locator('[data-step="FirstNumbers"]');
  await expect(firstNumbers).toHaveAttribute('data-status', 'passed', { timeout: 60_000 });
  await expect(firstNumbers).toContainText('step/s');
  await expect(page.getByTestId('live-steps-per-sec')).toContainText(/\d+\.\d\d/);
  await expect(page.getByTestId('live-gpu-util')).toContainText('%');
  await expect(page.getByTestId('decision')).toBeVisible();
  await expect(page.getByTestId('log-tail')).not.toBeEmpty();

  // One tap: destroy. The page shows the ended run.
  await page.getByTestId('kill-button').click();
  await expect(page.getByTestId('run-status')).toHaveText('killed', { timeout: 20_000 });
  await expect(page.getByTestId('kill-button')).toHaveCount(0);

  // The list shows it.
  await page.goto('/runs');
  await expect(page.getByTestId('run-row').first()).toBeVisible();
  // Usable at phone width: nothing scrolls sideways.
  const viewport = page.viewportSize()!;
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
  await page.getByTestId('run-row').first().locator('a').click();
  await expect(page.getByTestId('run-page')).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
  expect(errors).toEqual([]);
});

test('bad launch fields are marked and nothing is rented', async ({ page }, info) => {
  test.skip(isNoJs(info.project.name), 'field errors are shown by the JS form');
  await openLaunchForm(page);
  await page.locator('#launch-image').fill('my image');
  await page.locator('#launch-smoke_steps').fill('10000');
  await page.getByTestId('launch-button').click();
  await expect(page.getByTestId('launch-invalid')).toBeVisible();
  await expect(page.getByTestId('error-image')).toContainText('spaces');
  await expect(page.getByTestId('error-smoke_steps')).toContainText('20');
  await expect(page.getByTestId('error-smoke_cmd')).toContainText('required');
  await expect(page).toHaveURL(/\/runs\?launch=\d+/);
});

test('without JavaScript the form still launches and the Run page renders', async ({ page }, info) => {
  test.skip(!isNoJs(info.project.name), 'JS projects are covered above');
  test.setTimeout(60_000);
  await openLaunchForm(page);
  await page.locator('#launch-smoke_cmd').fill('python train.py');
  await page.locator('#launch-scenario').selectOption('healthy_nanogpt');
  await page.getByTestId('launch-button').click();
  await expect(page).toHaveURL(/\/runs\/\d+$/);
  await expect(page.getByTestId('checklist').locator('li')).toHaveCount(7);
  // Without the stream, a reload shows progress.
  await expect(async () => {
    await page.reload();
    await expect(page.locator('[data-step="InstanceRunning"]')).toHaveAttribute('data-status', 'passed', {
      timeout: 1000,
    });
  }).toPass({ timeout: 40_000 });
});
