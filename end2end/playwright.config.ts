import { defineConfig } from '@playwright/test';

// One server for the whole suite: the real `canopy` binary built by
// `cargo leptos build`, with its own private Postgres in a fresh data dir and
// the simulated marketplace. Debian's Chromium; never a downloaded browser.
const port = Number(process.env.CANOPY_E2E_PORT ?? 3217);
const dataDir = process.env.CANOPY_E2E_DATA_DIR ?? `/tmp/canopy-e2e-${process.pid}`;

const chromium = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
  ],
};

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1, // two cores: the server and the browser already share them
  retries: 0,
  reporter: [['list']],
  globalTeardown: './global-teardown.ts',
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    launchOptions: chromium,
    trace: 'off',
  },
  projects: [
    { name: 'desktop', use: { viewport: { width: 1280, height: 800 } } },
    {
      name: 'phone',
      use: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 3 },
    },
    { name: 'no-js', use: { viewport: { width: 1280, height: 800 }, javaScriptEnabled: false } },
  ],
  webServer: {
    command: `./target/debug/canopy serve --addr 127.0.0.1:${port}`,
    cwd: '..',
    url: `http://127.0.0.1:${port}/healthz`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      CANOPY_DATA_DIR: dataDir,
      CANOPY_SIM: '1',
      // Simulated minutes pass in seconds: offer → first live numbers in a test.
      CANOPY_SIM_SPEED: '10',
      LEPTOS_SITE_ROOT: 'target/site',
      RUST_LOG: 'warn',
    },
  },
});

process.env.CANOPY_E2E_DATA_DIR = dataDir;
