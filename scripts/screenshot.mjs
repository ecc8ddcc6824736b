// Full-page screenshot of a demo page once every card has settled, in a light or dark scheme.
// A maintainer's tool, not part of the build: `npm install playwright-core` (it uses Debian's
// Chromium, never downloads a browser), start `cargo xtask demo`, then
//   node scripts/screenshot.mjs http://127.0.0.1:8080/gallery.html gallery-dark.png dark
// Chromium's own --screenshot either shoots before the fetches land or, with a virtual time
// budget, freezes timers while a request is pending, which hides the timeout state.
import { chromium } from 'playwright-core';
const [url, out, scheme = 'light', width = '1400', height = '900'] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
const page = await browser.newPage({ viewport: { width: +width, height: +height }, colorScheme: scheme });
const errors = [];
page.on('console', m => { if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text()); });
page.on('pageerror', e => errors.push(String(e)));
await page.goto(url);
// Settled: every <tensorpix-job-card> reflects a status other than loading, or an error.
await page.waitForFunction(() => {
  const cards = [...document.querySelectorAll('tensorpix-job-card')];
  return cards.length > 0 && cards.every(card => card.hasAttribute('error') || (card.getAttribute('status') || 'loading') !== 'loading');
}, null, { timeout: 30000 }).catch(e => errors.push('still loading: ' + e));
await page.waitForTimeout(500);
await page.screenshot({ path: out, fullPage: true });
console.log(JSON.stringify({ out, cards: await page.locator('tensorpix-job-card').count(), consoleErrors: errors }));
await browser.close();
