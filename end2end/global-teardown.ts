import { rmSync } from 'node:fs';

// The server (and its private Postgres) has stopped by now; drop its data.
export default async function globalTeardown() {
  const dir = process.env.CANOPY_E2E_DATA_DIR;
  if (dir && dir.startsWith('/tmp/canopy-e2e-')) {
    rmSync(dir, { recursive: true, force: true });
  }
}
