// SPDX-License-Identifier: BSD-2-Clause
// wallet_web.cjs — qtpm-wallet's web UI in headless Chromium (puppeteer-core, Debian's
// chromium) with a DevTools virtual authenticator (WebAuthn.addVirtualAuthenticator:
// ctap2, usb, user verification), against `qtpm-wallet serve` on a qtpm-server TPM
// (run by wallet_web.sh). The story: register, seal, list, approve a use (the token comes
// back); then the attacks: a replayed approve, an assertion for another request, two
// concurrent approved uses of a one-time token (exactly one succeeds), malformed and
// cross-site-shaped requests (refused, the service stays up), a PCR change (the TPM
// refuses: TPM_RC_POLICY_FAIL), and a cloned authenticator (same key, counter from an
// earlier copy: refused and disabled). No console errors; nothing fetched elsewhere.
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const puppeteer = require('puppeteer-core');

function env(k) {
  const v = process.env[k];
  if (!v) throw new Error('environment variable ' + k + ' missing');
  return v;
}
const BASE = env('WEB_BASE');
const SHOTS = env('WEB_SHOTS');

let failures = 0;
function check(cond, what) {
  if (cond) console.log('ok: ' + what);
  else { console.log('FAIL: ' + what); failures++; }
}

async function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, 'wallet-' + name + '.png') });
}

async function statusText(page) {
  return page.$eval('#status', (e) => e.textContent);
}

async function waitStatus(page, re) {
  await page.waitForFunction((s) => new RegExp(s).test(document.getElementById('status').textContent),
                             { timeout: 15000 }, re.source);
  return statusText(page);
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
      '--window-size=1200,900',
    ],
    defaultViewport: { width: 1200, height: 900 },
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
  const page = await browser.newPage();
  const errors = [], foreign = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => { if (!r.url().startsWith(BASE)) foreign.push(r.url()); });

  const cdp = await page.createCDPSession();
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2', transport: 'usb', hasResidentKey: false,
      hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true,
    },
  });

  await page.goto(BASE + '/', { waitUntil: 'networkidle0' });
  check((await page.evaluate(() => window.isSecureContext)) === true, 'secure context (HTTPS)');
  await page.waitForFunction(() => document.getElementById('service').textContent !== '');

  // ---- register ----
  await page.click('#register');
  let st = await waitStatus(page, /registered|register:/);
  check(/registered alice \(ES256, fmt none\)/.test(st), 'register alice: ' + st);
  await shot(page, 'registered');
  const creds = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  check(creds.credentials.length === 1, 'the virtual authenticator holds one credential');

  // ---- seal and use ----
  await page.$eval('#token-data', (e) => { e.value = 'tok-4111-1111-1111-1111'; });
  await page.click('#seal');
  st = await waitStatus(page, /seal/);
  check(/seal card: approved/.test(st), 'seal card: ' + st);
  await page.waitForSelector('tr[data-name="card"] button.use');
  const pending = await page.$eval('#pending', (e) => e.textContent);
  check(/"op":"seal"/.test(pending) && /"name":"card"/.test(pending),
        'the page showed the canonical request it had signed');
  await page.click('tr[data-name="card"] button.use');
  await page.waitForFunction(() => document.getElementById('result').textContent !== '');
  const result = await page.$eval('#result', (e) => e.textContent);
  check(result === 'tok-4111-1111-1111-1111', 'use card: the token came back (' + result + ')');
  await shot(page, 'used');

  // ---- replay: the same approve body again ----
  let r = await page.evaluate(() => window.wallet.post('/api/v1/approve', window.lastApprove));
  check(r.status === 404 && r.body.error === 'unknown-request', 'replayed assertion refused (' +
        r.status + ' ' + r.body.error + ')');

  // ---- an assertion for request A presented for request B ----
  r = await page.evaluate(async () => {
    const w = window.wallet;
    const a = await w.post('/api/v1/requests', { user: 'alice', op: 'unseal', name: 'card' });
    const b = await w.post('/api/v1/requests', { user: 'alice', op: 'delete', name: 'card' });
    const pk = a.body.publicKey;
    const as = await navigator.credentials.get({ publicKey: {
      challenge: w.unb64u(pk.challenge), rpId: pk.rpId, userVerification: 'required',
      allowCredentials: pk.allowCredentials.map((c) => ({ type: c.type, id: w.unb64u(c.id) })) } });
    return w.post('/api/v1/approve', {
      request: b.body.request, credential: w.b64u(as.rawId),
      clientDataJSON: w.b64u(as.response.clientDataJSON),
      authenticatorData: w.b64u(as.response.authenticatorData),
      signature: w.b64u(as.response.signature) });
  });
  check(r.status === 403 && /another request/.test(r.body.message),
        'assertion for another request refused (' + r.status + ' ' + r.body.message + ')');
  r = await page.evaluate(() => window.wallet.post('/api/v1/tokens', { user: 'alice' }));
  check(r.body.items.some((i) => i.name === 'card'), 'card was not deleted');

  // ---- a one-time financial token, two approved uses at once ----
  await page.$eval('#token-name', (e) => { e.value = 'voucher'; });
  await page.$eval('#token-data', (e) => { e.value = 'one-time-voucher-77'; });
  await page.select('#token-type', 'financial');
  await page.$eval('#token-uses', (e) => { e.value = '1'; });
  await page.click('#seal');
  st = await waitStatus(page, /seal voucher/);
  check(/approved/.test(st), 'seal voucher (financial, 1 use): ' + st);
  r = await page.evaluate(async () => {
    const w = window.wallet, bodies = [];
    for (let k = 0; k < 2; k++) {
      const q = await w.post('/api/v1/requests', { user: 'alice', op: 'unseal', name: 'voucher' });
      const pk = q.body.publicKey;
      const as = await navigator.credentials.get({ publicKey: {
        challenge: w.unb64u(pk.challenge), rpId: pk.rpId, userVerification: 'required',
        allowCredentials: pk.allowCredentials.map((c) => ({ type: c.type, id: w.unb64u(c.id) })) } });
      bodies.push({ request: q.body.request, credential: w.b64u(as.rawId),
                    clientDataJSON: w.b64u(as.response.clientDataJSON),
                    authenticatorData: w.b64u(as.response.authenticatorData),
                    signature: w.b64u(as.response.signature) });
    }
    const res = await Promise.all(bodies.map((b) => w.post('/api/v1/approve', b)));
    return res.map((x) => x.status);
  });
  check(r.filter((s) => s === 200).length === 1 && r.filter((s) => s === 410).length === 1,
        'two concurrent uses of a one-time token: exactly one succeeds (' + r.join(',') + ')');

  // ---- malformed requests; the service stays up ----
  r = await page.evaluate(async () => {
    const out = [];
    const raw = async (body, type) => (await fetch('/api/v1/requests', {
      method: 'POST', headers: { 'Content-Type': type }, body })).status;
    out.push(await raw('{"user":', 'application/json'));
    out.push(await raw('[1,2,3]', 'application/json'));
    out.push(await raw('user=alice&op=unseal&name=card', 'application/x-www-form-urlencoded'));
    out.push(await raw('{"user":"alice","op":"unseal","name":"card","extra":1}', 'application/json'));
    out.push(await raw('{"user":"alice","op":"unseal","name":"' + 'x'.repeat(300) + '"}',
                       'application/json'));
    out.push((await fetch('/api/v1/approve', { method: 'PUT' })).status);
    out.push((await fetch('/../../etc/passwd')).status);
    out.push((await fetch('/api/v1/status')).status);
    return out;
  });
  check(JSON.stringify(r) === JSON.stringify([400, 400, 415, 400, 400, 405, 404, 200]),
        'malformed requests refused, service up (' + r.join(',') + ')');

  // ---- a changed platform: PCR 7 extended on the TPM ----
  await page.$eval('#token-name', (e) => { e.value = 'pcr-bound'; });
  await page.$eval('#token-data', (e) => { e.value = 'sealed-to-pcr7'; });
  await page.select('#token-type', 'bearer');
  await page.click('#seal');
  st = await waitStatus(page, /seal pcr-bound/);
  check(/approved/.test(st), 'seal pcr-bound: ' + st);
  execFileSync(env('QTPM'), ['-T', env('TCTI'), 'pcrextend', '7:sha256=' + '7'.repeat(64)]);
  r = await page.evaluate(() => window.wallet.use('pcr-bound'));
  check(r.status === 403 && r.body.tpm_rc === 0x9d, // TPM_RC_POLICY_FAIL
        'after a PCR change the TPM refuses: ' + r.status + ' ' + r.body.detail +
        ' tpm_rc 0x' + (r.body.tpm_rc >>> 0).toString(16));
  await shot(page, 'pcr-refused');

  // ---- a cloned authenticator: same key, counter from an earlier copy ----
  const before = (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials[0];
  await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
  const clone = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'usb', hasResidentKey: false,
               hasUserVerification: true, isUserVerified: true,
               automaticPresenceSimulation: true },
  });
  await cdp.send('WebAuthn.addCredential', {
    authenticatorId: clone.authenticatorId,
    credential: { credentialId: before.credentialId, isResidentCredential: false,
                  rpId: before.rpId, privateKey: before.privateKey, signCount: 1 },
  });
  r = await page.evaluate(() => window.wallet.use('card'));
  check(r.status === 403 && r.body.error === 'clone',
        'cloned authenticator (counter ' + before.signCount + ' -> 2) refused: ' +
        r.status + ' ' + r.body.error);
  r = await page.evaluate(() => window.wallet.post('/api/v1/requests',
                                                   { user: 'alice', op: 'unseal', name: 'card' }));
  check(r.status === 403 && r.body.error === 'no-authenticator', 'and the credential is disabled');
  await shot(page, 'clone-refused');

  const unexpected = errors.filter((e) => !/status of 4\d\d/.test(e));
  check(unexpected.length === 0, 'no console errors besides the ' + errors.length +
        ' refused calls (' + unexpected.join(' | ') + ')');
  check(foreign.length === 0, 'nothing fetched elsewhere (' + foreign.join(' ') + ')');
}

main().then(() => {
  console.log(failures ? failures + ' check(s) failed' : 'all checks passed');
  process.exit(failures ? 1 : 0);
}).catch((e) => { console.log('FAIL: ' + (e && e.stack || e)); process.exit(1); });
