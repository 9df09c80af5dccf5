// SPDX-License-Identifier: BSD-2-Clause
// dashboard_scale.cjs — one page's first render, WEB_LOADS times (bench/dashboard_scale.sh).
// Prints one JSON line {name, how, ms: [...]}.
'use strict';
const CAP_MS = 30000;
const fs = require('fs');
const path = require('path');
const puppeteer = require('puppeteer-core');

(async () => {
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    userDataDir: fs.mkdtempSync(path.join(process.env.WEB_TMP, 'chromium-')),
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
      '--ignore-certificate-errors-spki-list=' + process.env.WEB_SPKI],
    defaultViewport: { width: 1400, height: 1000 }, protocolTimeout: 120000,
  });
  fs.writeFileSync(path.join(process.env.WEB_TMP, 'chromium.pid'), String(browser.process().pid));
  const login = await browser.newPage();
  await login.goto(process.env.WEB_LOGIN, { waitUntil: 'domcontentloaded', timeout: 60000 });
  const cookies = await login.cookies();
  await login.close();
  const ms = [];
  let how = '';
  for (let i = 0; i < Number(process.env.WEB_LOADS); i++) {
    const ctx = await browser.createBrowserContext();
    const page = await ctx.newPage();
    await page.setCookie(...cookies);
    await page.goto(process.env.WEB_BASE + '/', { waitUntil: 'domcontentloaded', timeout: 60000 });
    const ok = await page.waitForSelector('body[data-ready="1"]', { timeout: CAP_MS }).then(() => true, () => false);
    if (!ok) {
      // A page that is not ready in CAP_MS usually holds its main thread (a layout):
      // it is recorded as the cap and the browser is killed, not asked to close.
      ms.push(CAP_MS);
      how = 'not ready within ' + CAP_MS / 1000 + ' s (recorded as ' + CAP_MS + ')';
      break;
    }
    const t = await page.evaluate(() => {
      const m = performance.getEntriesByName('qtpm-first-render');
      return m.length ? { ms: m[0].startTime, how: 'mark qtpm-first-render' } : { ms: performance.now(), how: 'navigation start to data-ready' };
    });
    ms.push(t.ms);
    how = t.how;
    await ctx.close();
  }
  console.log(JSON.stringify({ name: process.env.WEB_NAME, how: how, ms: ms }));
  browser.process().kill('SIGKILL');
})().catch((e) => { console.error(e); process.exit(1); });
