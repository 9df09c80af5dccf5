// SPDX-License-Identifier: BSD-2-Clause
// wallet.js — the qtpm-wallet UI. Every vault operation is a request to the service
// (POST /api/v1/requests), whose answer carries the canonical request text and
// challenge = SHA-256(text); the authenticator signs it (navigator.credentials.get)
// and the assertion goes to POST /api/v1/approve. No cookies: the assertion is the
// only authority. The page checks that the challenge is the hash of the text it shows.
'use strict';

const $ = (id) => document.getElementById(id);

function b64u(buf) {
  const b = new Uint8Array(buf);
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function unb64u(s) {
  const t = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4));
  const b = new Uint8Array(t.length);
  for (let i = 0; i < t.length; i++) b[i] = t.charCodeAt(i);
  return b;
}

function status(msg, ok) {
  const el = $('status');
  el.textContent = msg;
  el.className = ok ? 'ok' : 'error';
}

async function post(path, body) {
  const r = await fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const j = await r.json();
  return { status: r.status, body: j };
}

async function register() {
  const user = $('user').value;
  const begin = await post('/api/v1/register/begin', { user });
  if (begin.status !== 200) return status('register: ' + begin.body.message, false);
  const pk = begin.body.publicKey;
  const cred = await navigator.credentials.create({ publicKey: {
    challenge: unb64u(pk.challenge),
    rp: pk.rp,
    user: { id: unb64u(pk.user.id), name: pk.user.name, displayName: pk.user.displayName },
    pubKeyCredParams: pk.pubKeyCredParams,
    timeout: pk.timeout,
    attestation: pk.attestation,
    authenticatorSelection: pk.authenticatorSelection,
  } });
  const fin = await post('/api/v1/register/finish', {
    request: begin.body.request,
    clientDataJSON: b64u(cred.response.clientDataJSON),
    attestationObject: b64u(cred.response.attestationObject),
  });
  if (fin.status !== 200) return status('register: ' + fin.body.message, false);
  status('registered ' + user + ' (' + (fin.body.alg === -7 ? 'ES256' : 'EdDSA') + ', fmt ' +
         fin.body.fmt + ')', true);
  return fin;
}

// One operation: request, show, check the challenge, sign, approve.
async function approve(req) {
  const r = await post('/api/v1/requests', req);
  if (r.status !== 200) { status(req.op + ': ' + r.body.message, false); return r; }
  $('pending').textContent = r.body.text;
  const h = new Uint8Array(await crypto.subtle.digest('SHA-256',
                                                      new TextEncoder().encode(r.body.text)));
  if (b64u(h) !== r.body.publicKey.challenge) {
    status('the challenge is not the hash of the request shown: refusing to sign', false);
    return { status: 0, body: {} };
  }
  const pk = r.body.publicKey;
  const a = await navigator.credentials.get({ publicKey: {
    challenge: unb64u(pk.challenge),
    rpId: pk.rpId,
    allowCredentials: pk.allowCredentials.map((c) => ({ type: c.type, id: unb64u(c.id) })),
    userVerification: pk.userVerification,
    timeout: pk.timeout,
  } });
  const body = {
    request: r.body.request,
    credential: b64u(a.rawId),
    clientDataJSON: b64u(a.response.clientDataJSON),
    authenticatorData: b64u(a.response.authenticatorData),
    signature: b64u(a.response.signature),
  };
  window.lastApprove = body; // kept for the tests' replay check
  const res = await post('/api/v1/approve', body);
  if (res.status !== 200) status(req.op + ' refused: ' + res.body.message, false);
  else status(req.op + ' ' + req.name + ': approved', true);
  return res;
}

async function seal() {
  const data = new TextEncoder().encode($('token-data').value);
  const req = { user: $('user').value, op: 'seal', name: $('token-name').value,
                data: b64u(data), type: $('token-type').value };
  const uses = parseInt($('token-uses').value, 10), limit = parseInt($('token-limit').value, 10);
  if (req.type === 'financial') {
    if (uses > 0) req.uses = uses;
    if (limit > 0) req.amount_limit = limit;
  }
  const r = await approve(req);
  await refresh();
  return r;
}

async function use(name, amount) {
  const req = { user: $('user').value, op: 'unseal', name };
  if (amount) req.amount = amount;
  const r = await approve(req);
  $('result').textContent = r.status === 200
    ? new TextDecoder().decode(unb64u(r.body.token)) : 'refused (' + r.status + ')';
  await refresh();
  return r;
}

async function refresh() {
  const r = await post('/api/v1/tokens', { user: $('user').value });
  const tb = $('tokens');
  tb.textContent = '';
  if (r.status !== 200) return;
  for (const it of r.body.items) {
    const tr = document.createElement('tr');
    tr.dataset.name = it.name;
    for (const v of [it.name, it.kind, it.type || '', it.uses === undefined ? '' : it.uses]) {
      const td = document.createElement('td');
      td.textContent = String(v);
      tr.appendChild(td);
    }
    const td = document.createElement('td');
    if (it.kind === 'token') {
      const b = document.createElement('button');
      b.textContent = 'Use';
      b.className = 'use';
      b.addEventListener('click', () => use(it.name).catch((e) => status(String(e), false)));
      td.appendChild(b);
    }
    tr.appendChild(td);
    tb.appendChild(tr);
  }
}

window.wallet = { post, register, approve, seal, use, refresh, b64u, unb64u };

document.addEventListener('DOMContentLoaded', async () => {
  const s = await fetch('/api/v1/status').then((r) => r.json());
  $('service').textContent = 'rpId ' + s.rpId + ', ' + (s.alg === 'qr' ? 'ML-KEM-768 / ML-DSA-44'
                                                                        : 'ECC P-256');
  $('register').addEventListener('click', () => register().catch((e) => status(String(e), false)));
  $('seal').addEventListener('click', () => seal().catch((e) => status(String(e), false)));
  $('refresh').addEventListener('click', () => refresh());
  $('user').addEventListener('change', () => refresh());
  refresh();
});
