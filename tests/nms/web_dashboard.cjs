// SPDX-License-Identifier: BSD-2-Clause
// web_dashboard.cjs — drives Debian's chromium (headless) with puppeteer-core against the
// NMS that web_dashboard.sh set up, and asserts what the dashboard shows (see there).
// Every wait is bounded; the browser is closed on any outcome (and its process group is
// killed by the shell's trap should this process die: its pid is in WEB_TMP/chromium.pid).
'use strict';

const fs = require('fs');
const path = require('path');
const https = require('https');
const { execFile } = require('child_process');
const puppeteer = require('puppeteer-core');

const env = (k) => {
  const v = process.env[k];
  if (!v) throw new Error('missing environment variable ' + k);
  return v;
};
const BASE = env('WEB_BASE');
const SHOTS = env('WEB_SHOTS');
const ROUTERS = Object.fromEntries(env('WEB_ROUTERS').split(',').map((x) => x.split('=')));
const STATE_COLOURS = { good: '#1a7f37', unknown: '#8a6100', bad: '#c62828', offline: '#57606a' };

let failures = 0;
function check(cond, what) {
  if (cond) {
    console.log('ok   ' + what);
  } else {
    failures++;
    console.log('FAIL ' + what);
  }
}

// A client-certificate request to the API (the server's own answer, no browser).
function apiWithCert(method, p, body, cert, key) {
  return new Promise((resolve, reject) => {
    const req = https.request(BASE + '/api/v1' + p, {
      method: method,
      ca: fs.readFileSync(env('WEB_CA')),
      cert: fs.readFileSync(cert),
      key: fs.readFileSync(key),
      headers: body ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } : {},
      timeout: 10000,
    }, (res) => {
      let data = '';
      res.on('data', (c) => { data += c; });
      res.on('end', () => resolve({ status: res.statusCode, body: data }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    if (body) req.write(body);
    req.end();
  });
}

function run(cmd) {
  return new Promise((resolve) => {
    execFile(cmd, [], { timeout: 60000 }, (err, stdout, stderr) => resolve({ err, stdout, stderr }));
  });
}

// Collects console errors, page errors and failed requests of a page.
function watch(page, name) {
  const errors = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(name + ' console: ' + m.text());
  });
  page.on('pageerror', (e) => errors.push(name + ' page error: ' + e.message));
  page.on('requestfailed', (r) => {
    // The event stream is cut when the page closes; anything else is an error.
    if (!r.url().endsWith('/api/v1/stream')) errors.push(name + ' request failed: ' + r.url());
  });
  return errors;
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, name + '.png'), fullPage: true });
}

async function rowState(page, id) {
  return page.$eval('#routers tr[data-router="' + id + '"]', (tr) => ({
    state: tr.dataset.state,
    text: tr.querySelector('.state').textContent,
    why: tr.querySelector('.why').textContent,
  })).catch(() => null);
}

async function mapNode(page, id) {
  return page.evaluate((nid) => {
    const cy = window.qtpmMap;
    if (!cy) return null;
    const n = cy.getElementById(nid);
    if (n.empty()) return null;
    return { state: n.data('state'), label: n.data('label'), colour: n.style('background-color'), shape: n.style('shape') };
  }, id);
}

function rgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return 'rgb(' + (n >> 16) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ')';
}

async function main() {
  const userDir = fs.mkdtempSync(path.join(env('WEB_TMP'), 'chromium-'));
  const browser = await puppeteer.launch({
    executablePath: env('CHROMIUM'),
    headless: true,
    userDataDir: userDir,
    args: [
      '--no-sandbox', // tests may run as root, where chromium's sandbox refuses to start
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--ignore-certificate-errors-spki-list=' + env('WEB_SPKI'),
      '--window-size=1400,1000',
    ],
    defaultViewport: { width: 1400, height: 1000 },
    protocolTimeout: 30000,
  });
  fs.writeFileSync(path.join(env('WEB_TMP'), 'chromium.pid'), String(browser.process().pid));
  try {
    await scenario(browser);
  } finally {
    await browser.close().catch(() => {});
  }
}

async function scenario(browser) {
  // Network requests anywhere but the NMS are failures (the page must fetch nothing else).
  const foreign = [];
  const trackForeign = (page) => page.on('request', (r) => {
    if (!r.url().startsWith(BASE) && !r.url().startsWith('data:')) foreign.push(r.url());
  });

  // ---- the operator's page ----
  const op = await browser.newPage();
  trackForeign(op);
  const opErrors = watch(op, 'operator');
  const t0 = Date.now();
  const resp = await op.goto(env('WEB_OPERATOR_URL'), { waitUntil: 'load', timeout: 20000 });
  check(resp && resp.url() === BASE + '/', 'the login link redirects to the dashboard (' + (resp && resp.url()) + ')');
  await op.waitForSelector('body[data-ready="1"]', { timeout: 15000 });
  console.log('     page ready in ' + (Date.now() - t0) + ' ms');
  await op.waitForFunction(() => document.getElementById('live').textContent === 'live', { timeout: 5000 })
    .catch(() => {});
  check((await op.$eval('#live', (e) => e.textContent)) === 'live', 'the event stream is connected');
  check((await op.$eval('#role', (e) => e.textContent)) === 'operator', 'the page says operator');
  const cookies = await op.cookies();
  const sess = cookies.find((c) => c.name === 'qtpm_session');
  check(sess && sess.httpOnly && sess.secure && sess.sameSite === 'Strict', 'the session cookie is HttpOnly, Secure, SameSite=Strict');
  check(await op.evaluate(() => !document.cookie.includes('qtpm_session')), 'the page script cannot read the session cookie');

  // every router, good, on the map and in the table
  await op.waitForFunction((n) => document.querySelectorAll('#routers tbody tr').length === n,
    { timeout: 5000 }, Object.keys(ROUTERS).length).catch(() => {});
  for (const [name, id] of Object.entries(ROUTERS)) {
    if (name === 'r4') continue;
    const row = await rowState(op, id);
    check(row && row.state === 'good' && row.text.includes('good') && row.text.includes('✓'),
      name + ' is good in the table (' + JSON.stringify(row) + ')');
    const node = await mapNode(op, id);
    check(node && node.state === 'good' && node.label.startsWith(name + '\n') && node.label.includes('GOOD') &&
      node.colour === rgb(STATE_COLOURS.good) && node.shape === 'round-rectangle',
    name + ' is a green round rectangle labelled GOOD on the map (' + JSON.stringify(node) + ')');
  }
  {
    // r4 enrolled and never attested: amber diamond, its state in words.
    const row = await rowState(op, ROUTERS.r4);
    check(row && row.state === 'enrolled' && row.text === '? enrolled (not attested)',
      'r4 (never attested) is "? enrolled (not attested)" in the table (' + JSON.stringify(row) + ')');
    const node = await mapNode(op, ROUTERS.r4);
    check(node && node.label === 'r4\n? ENROLLED' && node.colour === rgb(STATE_COLOURS.unknown) && node.shape === 'diamond',
      'r4 is an amber diamond labelled ENROLLED on the map (' + JSON.stringify(node) + ')');
  }
  const edges = await op.evaluate(() => window.qtpmMap.edges().map((e) => e.data('label')));
  check(edges.length === 3 && edges.every((l) => l === '10 / 10'), 'the map has the 3 links with their OSPF costs (' + edges + ')');
  await shot(op, 'web-01-operator-good');

  // a router's routing table and costs
  await op.click('#routers tr[data-router="' + ROUTERS.r1 + '"] button');
  await op.waitForFunction(() => document.querySelectorAll('#d-routes tbody tr').length > 0, { timeout: 5000 }).catch(() => {});
  const routes = await op.$$eval('#d-routes tbody tr', (trs) => trs.map((t) => t.textContent));
  check(routes.some((t) => t.includes('10.9.2.0/24') && t.includes('10.0.12.2') && t.includes('eth2')),
    'r1\'s routing table shows 10.9.2.0/24 via 10.0.12.2 (' + routes.length + ' routes)');
  const ifaces = await op.$$eval('#d-ifaces tbody tr', (trs) => trs.map((t) => Array.from(t.cells).map((c) => c.textContent)));
  check(ifaces.some((c) => c[0] === 'eth2' && c[2] === '10' && c[4] === 'r2'),
    'r1\'s interfaces show eth2 toward r2 with OSPF cost 10 (' + JSON.stringify(ifaces) + ')');
  check(opErrors.length === 0, 'no console errors while loading (' + opErrors.join('; ') + ')');

  // ---- the read-only page (its own browser context: its own cookies) ----
  const roCtx = await browser.createBrowserContext();
  const ro = await roCtx.newPage();
  trackForeign(ro);
  const roErrors = watch(ro, 'read-only');
  await ro.goto(env('WEB_READONLY_URL'), { waitUntil: 'load', timeout: 20000 });
  await ro.waitForSelector('body[data-ready="1"]', { timeout: 15000 });
  check((await ro.$eval('#role', (e) => e.textContent)) === 'read-only', 'the second page says read-only');
  check(roErrors.length === 0, 'no console errors while loading read-only (' + roErrors.join('; ') + ')');
  const roBefore = await ro.$eval('#m-bad', (e) => e.value);
  const disabled = await ro.$$eval('#policy input, #policy select, #policy button', (es) => es.every((e) => e.disabled));
  check(disabled && roBefore !== '', 'read-only: the policy is shown (bad = ' + roBefore + ') and every control disabled');
  await shot(ro, 'web-02-read-only');
  // Forced: enable the form by hand and submit; then a hand-made PUT with the CSRF token.
  await ro.evaluate(() => {
    for (const e of document.querySelectorAll('#policy input, #policy select, #policy button')) e.disabled = false;
    document.getElementById('m-bad').value = '77';
  });
  await ro.click('#policy-save');
  await ro.waitForFunction(() => /refused/.test(document.getElementById('policy-note').textContent), { timeout: 5000 }).catch(() => {});
  const roNote = await ro.$eval('#policy-note', (e) => e.textContent);
  check(/refused \(403\)/.test(roNote), 'read-only: a forced save is refused by the server (' + roNote + ')');
  const forced = await ro.evaluate(async () => {
    const m = document.cookie.match(/qtpm_csrf=([0-9a-f]+)/);
    const r = await fetch('/api/v1/routing/policy', {
      method: 'PUT', headers: { 'Content-Type': 'application/json', 'X-QTPM-CSRF': m ? m[1] : '' },
      body: JSON.stringify({ metrics: { bad: 78 } }),
    });
    return r.status;
  });
  check(forced === 403, 'read-only: a hand-made PUT with the CSRF token → ' + forced);
  const byCert = await apiWithCert('PUT', '/routing/policy', '{"metrics":{"bad":79}}', env('WEB_RO_CERT'), env('WEB_RO_KEY'));
  check(byCert.status === 403, 'read-only client certificate: PUT → ' + byCert.status);

  // CSRF: the operator's session without the header is refused
  const noCsrf = await op.evaluate(async () => (await fetch('/api/v1/routing/policy', {
    method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: '{"metrics":{"bad":80}}',
  })).status);
  check(noCsrf === 403, 'operator session without the CSRF header: PUT → ' + noCsrf);

  // ---- the operator edits the policy; the read-only page follows live ----
  const newBad = String(Number(roBefore) === 35 ? 36 : 35);
  await op.$eval('#m-bad', (e, v) => { e.value = v; }, newBad);
  await op.click('#policy-save');
  await op.waitForFunction(() => document.getElementById('policy-note').textContent !== 'saving…', { timeout: 5000 }).catch(() => {});
  const opNote = await op.$eval('#policy-note', (e) => e.textContent);
  check(opNote === 'policy saved', 'operator: the policy change goes through (' + opNote + ')');
  await ro.waitForFunction((v) => document.getElementById('m-bad').value === v, { timeout: 3000 }, newBad).catch(() => {});
  check((await ro.$eval('#m-bad', (e) => e.value)) === newBad, 'the read-only page shows the new policy (bad = ' + newBad + ') without a reload');
  const outOfRange = await op.evaluate(async () => {
    const m = document.cookie.match(/qtpm_csrf=([0-9a-f]+)/);
    return (await fetch('/api/v1/routing/policy', {
      method: 'PUT', headers: { 'Content-Type': 'application/json', 'X-QTPM-CSRF': m[1] },
      body: '{"metrics":{"bad":70000}}',
    })).status;
  });
  check(outOfRange === 400, 'operator: a cost of 70000 → ' + outOfRange);

  // ---- the attack: r2 turns red within a second of its verdict ----
  const r2 = ROUTERS.r2;
  // Every announcement from here on (r4 may go offline meanwhile and be announced after r2).
  await op.evaluate(() => {
    window.qtpmSaid = [];
    const a = document.getElementById('announce');
    new MutationObserver(() => window.qtpmSaid.push(a.textContent))
      .observe(a, { childList: true, characterData: true, subtree: true });
  });
  const redP = op.waitForFunction((id) => {
    const tr = document.querySelector('#routers tr[data-router="' + id + '"]');
    const cy = window.qtpmMap;
    return tr && tr.dataset.state === 'bad' && cy && cy.getElementById(id).data('state') === 'bad';
  }, { timeout: 20000, polling: 'mutation' }, r2).then(() => Date.now(), () => null);
  const tAttack = Date.now();
  const attack = await run(env('WEB_ATTACK'));
  const tDone = Date.now();
  const tRed = await redP;
  check(tRed !== null, 'r2 turned bad on the page (attack → attest-once done in ' + (tDone - tAttack) + ' ms)');
  const events = await op.evaluate(async () => (await (await fetch('/api/v1/events')).json()).events);
  const verdict = events.filter((e) => e.router === r2 && e.kind === 'verdict').pop();
  const vms = verdict && (verdict.time_ms || verdict.time * 1000);
  if (tRed !== null && verdict) {
    const lag = tRed - vms;
    console.log('     verdict (time_ms ' + vms + ') → page red: ' + lag + ' ms; attest-once exit → red: ' + (tRed - tDone) + ' ms');
    check(lag <= 1000, 'r2 turned red within a second of its verdict (' + lag + ' ms)');
  } else {
    check(false, 'a verdict event for r2 exists');
  }
  if (attack.err) console.log('     attack script: ' + attack.err.message);
  const node = await mapNode(op, r2);
  check(node && node.colour === rgb(STATE_COLOURS.bad) && node.shape === 'octagon' && node.label.includes('BAD'),
    'r2 is a red octagon labelled BAD on the map (' + JSON.stringify(node) + ')');
  await op.waitForFunction((id) => /digest-mismatch/.test(document.querySelector('#routers tr[data-router="' + id + '"] .why').textContent),
    { timeout: 3000 }, r2).catch(() => {});
  const row = await rowState(op, r2);
  check(row && row.text.includes('✗') && row.text.includes('bad') && row.why.includes('digest-mismatch /usr/sbin/routerd'),
    'the table says ✗ bad and why: ' + JSON.stringify(row));
  for (const name of ['r1', 'r3']) { // and r4 stays as it was
    const other = await rowState(op, ROUTERS[name]);
    check(other && other.state === 'good', name + ' stays good');
  }
  // the reasons in the detail panel: which file, which digests
  await op.click('#routers tr[data-router="' + r2 + '"] button');
  await op.waitForFunction(() => document.querySelectorAll('#d-reasons tbody tr').length > 0, { timeout: 5000 }).catch(() => {});
  const reasons = await op.$$eval('#d-reasons tbody tr', (trs) => trs.map((t) => Array.from(t.cells).map((c) => c.textContent)));
  const dm = reasons.find((c) => c[0] === 'digest-mismatch');
  check(dm && dm[1] === '/usr/sbin/routerd' && /[0-9a-f]{64}/.test(dm[2]) && /[0-9a-f]{64}/.test(dm[3]) && dm[2] !== dm[3],
    'the reasons name /usr/sbin/routerd with the expected and found digests (' + JSON.stringify(dm) + ')');
  check((await op.$eval('#d-state', (e) => e.textContent)).includes('bad'), 'the detail panel says bad');
  const tl = await op.$$eval('#events li', (lis) => lis.map((l) => l.dataset.kind + ' ' + l.textContent));
  check(tl.some((t) => t.startsWith('verdict') && t.includes('r2')), 'the timeline shows r2\'s verdict (' + tl.length + ' events)');
  await shot(op, 'web-03-operator-r2-bad');
  const said = await op.evaluate(() => window.qtpmSaid);
  check(said.includes('r2 is now bad'), 'the change is announced to screen readers (' + said.join('; ') + ')');
  // enforcement: r1's interface toward r2 now wants the bad cost (no agent applies it here)
  await op.click('#routers tr[data-router="' + ROUTERS.r1 + '"] button');
  await op.waitForFunction(() => /r1/.test(document.getElementById('d-name').textContent), { timeout: 5000 }).catch(() => {});
  await op.waitForFunction((v) => Array.from(document.querySelectorAll('#d-ifaces tbody tr'))
    .some((t) => t.cells[0].textContent === 'eth2' && t.cells[5].textContent === v), { timeout: 5000 }, newBad).catch(() => {});
  const enf = await op.$$eval('#d-ifaces tbody tr', (trs) => trs.map((t) => Array.from(t.cells).map((c) => c.textContent)));
  const e2 = enf.find((c) => c[0] === 'eth2');
  check(e2 && e2[4] === 'r2' && e2[5] === newBad && /^(pending|failed)/.test(e2[6]),
    'r1\'s eth2 toward r2 shows the desired cost ' + newBad + ' and its enforcement status (' + JSON.stringify(e2) + ')');
  await shot(op, 'web-05-operator-enforcement');
  // the read-only page followed too
  const roRow = await rowState(ro, r2);
  check(roRow && roRow.state === 'bad', 'the read-only page shows r2 bad as well');
  await shot(ro, 'web-04-read-only-r2-bad');

  // exclusion mode: the operator switches bad_action; r2's two links become excluded
  await op.select('#bad-action', 'exclude');
  await op.click('#policy-save');
  await op.waitForFunction(() => window.qtpmMap.edges('.excluded').length === 2, { timeout: 3000 }).catch(() => {});
  const excl = await op.evaluate(() => window.qtpmMap.edges('.excluded').map((e) => [e.source().data('label').split('\n')[0], e.target().data('label').split('\n')[0], e.style('line-style')]));
  check(excl.length === 2 && excl.every((x) => (x[0] === 'r2' || x[1] === 'r2') && x[2] === 'dashed'),
    'bad_action exclude: r2\'s two links are drawn dashed as excluded (' + JSON.stringify(excl) + ')');
  await shot(op, 'web-06-operator-exclude');
  // Chromium logs each refused request made on purpose above as a failed resource (the
  // operator's: the PUT without CSRF header, 403, and the cost out of range, 400; the
  // read-only page's: the forced save and the hand-made PUT, 403 each); nothing else.
  const refused = (errs, re) => errs.filter((e) => re.test(e));
  const opOther = opErrors.filter((e) => !/Failed to load resource: the server responded with a status of 40[03]/.test(e));
  check(opOther.length === 0 && refused(opErrors, /status of 403/).length === 1 && refused(opErrors, /status of 400/).length === 1,
    'operator page: no console errors but the two refused requests (' + opErrors.join('; ') + ')');
  const roOther = roErrors.filter((e) => !/Failed to load resource: the server responded with a status of 403/.test(e));
  check(roOther.length === 0 && roErrors.length === 2,
    'read-only page: no console errors but the two refused requests (' + roErrors.join('; ') + ')');
  check(foreign.length === 0, 'nothing fetched from anywhere but the NMS (' + foreign.join(', ') + ')');
  // r4 has been silent since its enrolment: it goes offline (2 periods of 5 s), live
  await op.waitForFunction((id) => {
    const tr = document.querySelector('#routers tr[data-router="' + id + '"]');
    return tr && tr.dataset.state === 'offline';
  }, { timeout: 20000, polling: 'mutation' }, ROUTERS.r4).catch(() => {});
  const off = await rowState(op, ROUTERS.r4);
  const offNode = await mapNode(op, ROUTERS.r4);
  check(off && off.state === 'offline' && off.text === '– offline' && offNode && offNode.label === 'r4\n– OFFLINE' &&
    offNode.shape === 'rectangle' && offNode.colour === rgb(STATE_COLOURS.offline),
  'r4, silent, turns "– offline", a grey rectangle on the map (' + JSON.stringify(off) + ' ' + JSON.stringify(offNode) + ')');
  for (const name of ['r1', 'r3']) {
    const other = await rowState(op, ROUTERS[name]);
    check(other && other.state === 'good', name + ' (heartbeats) stays good');
  }
  const tl2 = await op.$$eval('#events li', (lis) => lis.map((l) => l.dataset.kind + ' ' + l.textContent));
  check(tl2.some((t) => t.startsWith('offline') && t.includes('r4')), 'the timeline shows r4 offline');
  await shot(op, 'web-07-operator-r4-offline');

  // sign out: the cookies go, the page says so
  await op.click('#logout');
  await op.waitForFunction(() => document.getElementById('role').textContent === 'not signed in', { timeout: 5000 }).catch(() => {});
  check((await op.$eval('#role', (e) => e.textContent)) === 'not signed in', 'sign out: the page says not signed in');
  check(!(await op.cookies()).some((c) => c.name === 'qtpm_session'), 'sign out: the session cookie is gone');
  const after = await op.evaluate(async () => (await fetch('/api/v1/routers')).status);
  check(after === 401, 'sign out: the API refuses the page (' + after + ')');
  await roCtx.close();
}

main().then(() => {
  console.log(failures ? failures + ' check(s) failed' : 'all checks passed');
  process.exit(failures ? 1 : 0);
}, (e) => {
  console.log('FAIL ' + (e && e.stack ? e.stack : e));
  process.exit(1);
});
