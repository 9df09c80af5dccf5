// SPDX-License-Identifier: BSD-2-Clause
// app.js — the qtpm NMS dashboard's logic (docs/ROUTING.md "Dashboard"). It reads the
// REST API v1 (docs/NMS.md, docs/ROUTING.md) with the browser session's cookie, draws
// the topology with cytoscape.js, and follows the server-sent events of
// GET /api/v1/stream (WHATWG HTML §9.2) so the page changes without a reload. Every
// value from the server reaches the page as text (textContent), never as markup. A
// change (the routing policy) is a PUT carrying the session's CSRF token in X-QTPM-CSRF;
// the server decides who may change what, the page only mirrors it.
//
// At scale (docs/OPERATIONS.md "Dashboard at scale"): the router list comes in one
// request with each router's newest verdict and first reason (no request per router);
// the table shows one page of PAGE_ROWS rows of the sorted, filtered list; beyond
// MAP_ROUTERS routers the map is one tile per trust state with its count instead of
// a node per router (a force-directed layout of thousands of nodes takes seconds), and
// the graph library (443 kB) is then not even loaded; renders are coalesced to one per
// animation frame; the first API requests leave as soon as the script runs. The first render is marked with
// performance.mark('qtpm-first-render'), which the Chromium test at 10,000 routers reads.
'use strict';

(function () {
  const API = '/api/v1';
  // label: the words of the tables; word: the map's (short, to fit in a node).
  const STATES = {
    good: { mark: '✓', shape: 'round-rectangle', label: 'good', word: 'GOOD' },
    unknown: { mark: '?', shape: 'diamond', label: 'unknown', word: 'UNKNOWN' },
    enrolled: { mark: '?', shape: 'diamond', label: 'enrolled (not attested)', word: 'ENROLLED' },
    enrolling: { mark: '?', shape: 'diamond', label: 'enrolling', word: 'ENROLLING' },
    bad: { mark: '✗', shape: 'octagon', label: 'bad', word: 'BAD' },
    offline: { mark: '–', shape: 'rectangle', label: 'offline', word: 'OFFLINE' },
  };
  // White text on each keeps a contrast ratio of at least 4.5:1 (WCAG 2.1 SC 1.4.3).
  const COLOURS = { good: '#1a7f37', unknown: '#8a6100', bad: '#c62828', offline: '#57606a' };
  const MAX_EVENTS = 300;
  const PAGE_ROWS = 200;
  const MAP_ROUTERS = 300;
  const collator = new Intl.Collator(undefined, { numeric: true });

  const $ = (id) => document.getElementById(id);
  // The first answers of the API, asked for as soon as the script runs (see the end).
  const early = {};
  const state = {
    role: null,
    routers: new Map(), // id -> {id, hostname, state, reasons}
    links: [],
    selected: null,
    lastEvent: 0,
    cy: null,
    layoutKey: '',
    stream: null,
    pollTimer: null,
    page: 0,
    filterText: '',
    filterState: '',
    sorted: null, // the routers sorted by name (null: to be sorted again)
    renderPending: false,
    summary: false, // the map shows trust states, not routers
    mapLoading: null, // the graph library's load (a promise, once asked for)
  };

  // ---- helpers ----

  function styleClass(s) {
    if (s === 'good' || s === 'bad' || s === 'offline') return s;
    return 'unknown';
  }

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  function csrfToken() {
    const m = document.cookie.match(/(?:^|;\s*)qtpm_csrf=([0-9a-f]{32})/);
    return m ? m[1] : '';
  }

  async function api(path, opts) {
    const o = Object.assign({ credentials: 'same-origin', headers: {} }, opts || {});
    if (o.method && o.method !== 'GET') {
      o.headers['X-QTPM-CSRF'] = csrfToken();
      if (o.body !== undefined) o.headers['Content-Type'] = 'application/json';
    }
    const r = await fetch(API + path, o);
    let body = null;
    try { body = await r.json(); } catch (e) { body = null; }
    return { status: r.status, ok: r.ok, body: body };
  }

  function banner(text) {
    const b = $('banner');
    b.textContent = text || '';
    b.hidden = !text;
  }

  function fmtTime(ev) {
    const ms = ev.time_ms || (ev.time ? ev.time * 1000 : 0);
    if (!ms) return '';
    const d = new Date(ms);
    return d.toLocaleTimeString([], { hour12: false }) + '.' + String(d.getMilliseconds()).padStart(3, '0');
  }

  function routerName(id) {
    const r = state.routers.get(id);
    return r && r.hostname ? r.hostname : id || '';
  }

  function stateBadge(s) {
    const st = STATES[s] || { mark: '?', label: s || 'unknown' };
    const span = el('span', st.mark + ' ' + st.label, 'state st-' + styleClass(s));
    span.dataset.state = s || '';
    return span;
  }

  // The first reason and how many more; count: the number of reasons when only the
  // first was sent (the router list), else reasons.length.
  function reasonSummary(reasons, count) {
    if (!reasons || !reasons.length) return '';
    const r = reasons[0];
    const n = Math.max(reasons.length, count || 0);
    let t = r.code || '';
    if (r.path) t += ' ' + r.path;
    if (n > 1) t += ' (+' + (n - 1) + ' more)';
    return t;
  }

  // ---- the map ----

  function nodeLabel(r) {
    const st = STATES[r.state] || { mark: '?', word: String(r.state || 'unknown').toUpperCase() };
    return (r.hostname || r.id) + '\n' + st.mark + ' ' + st.word;
  }

  function initMap() {
    if (typeof window.cytoscape !== 'function') {
      banner('the graph library did not load: the topology is shown as a table only');
      return;
    }
    const nodeStyle = [];
    for (const s of ['good', 'unknown', 'bad', 'offline']) {
      nodeStyle.push({
        selector: 'node.st-' + s,
        style: {
          'background-color': COLOURS[s],
          shape: (STATES[s] || STATES.unknown).shape,
        },
      });
    }
    state.cy = window.cytoscape({
      container: $('map'),
      boxSelectionEnabled: false,
      wheelSensitivity: 0.3,
      style: [
        {
          selector: 'node',
          style: {
            label: 'data(label)',
            'text-wrap': 'wrap',
            'text-valign': 'center',
            'text-halign': 'center',
            color: '#fff',
            'font-size': 11,
            'font-weight': 'bold',
            width: 84,
            height: 48,
            'border-width': 2,
            'border-color': '#222',
          },
        },
      ].concat(nodeStyle, [
        { selector: 'node.st-offline', style: { 'border-style': 'dashed' } },
        // A diamond's label has half the room: a larger node keeps "? ENROLLED" inside.
        { selector: 'node.st-unknown', style: { width: 124, height: 72 } },
        { selector: 'node.st-bad', style: { 'border-width': 4, 'border-color': '#000' } },
        // The selection is a halo around the node, so the node keeps its own colour.
        { selector: 'node:selected', style: { 'underlay-color': '#0969da', 'underlay-opacity': 0.45, 'underlay-padding': 7, 'underlay-shape': 'round-rectangle', 'overlay-opacity': 0 } },
        {
          selector: 'edge',
          style: {
            width: 3,
            'line-color': '#8c959f',
            label: 'data(label)',
            'font-size': 10,
            'text-background-color': '#fff',
            'text-background-opacity': 1,
            'text-background-padding': 2,
          },
        },
        { selector: 'edge.excluded', style: { 'line-style': 'dashed', 'line-color': '#c62828' } },
      ]),
    });
    state.cy.on('tap', 'node', (e) => select(e.target.id()));
    // Read-only handle for the browser's console and the Chromium test.
    window.qtpmMap = state.cy;
  }

  // Beyond MAP_ROUTERS routers: one tile per trust state with its count, in plain HTML
  // (no graph library at all at that scale); a tile filters the table to that state.
  function drawSummaryMap() {
    const counts = { good: 0, unknown: 0, bad: 0, offline: 0 };
    for (const r of state.routers.values()) counts[styleClass(r.state)]++;
    const box = $('map-summary');
    if (!box.children.length) {
      for (const s of ['good', 'unknown', 'bad', 'offline']) {
        const b = el('button', null, 'tile st-' + s);
        b.type = 'button';
        b.dataset.state = s;
        b.appendChild(el('span', STATES[s].mark + ' ' + STATES[s].word, 'tile-word'));
        b.appendChild(el('span', '', 'tile-count'));
        b.addEventListener('click', () => filterByState(s));
        box.appendChild(b);
      }
    }
    for (const b of box.children) {
      const n = counts[b.dataset.state];
      b.dataset.count = String(n);
      b.querySelector('.tile-count').textContent = n.toLocaleString('en') + (n === 1 ? ' router' : ' routers');
      b.setAttribute('aria-label', n + ' routers ' + STATES[b.dataset.state].label + ': list them');
    }
    $('map-note').textContent = state.routers.size.toLocaleString('en') + ' routers: the map shows how many are in each trust state; select a state to list its routers below.';
  }

  // The graph library, loaded once when a map of routers is first wanted.
  function ensureMap() {
    if (!state.mapLoading) {
      state.mapLoading = new Promise((resolve) => {
        const sc = document.createElement('script');
        sc.src = '/ui/vendor/cytoscape.min.js';
        sc.onload = () => { initMap(); resolve(); };
        sc.onerror = () => { initMap(); resolve(); }; // initMap says it did not load
        document.head.appendChild(sc);
      });
    }
    return state.mapLoading;
  }

  function showSummary(yes) {
    $('map').hidden = yes;
    $('map-summary').hidden = !yes;
    $('map-note').hidden = !yes;
    if (!yes && state.summary && state.cy) state.cy.resize();
    state.summary = yes;
  }

  function drawMap() {
    if (state.routers.size > MAP_ROUTERS) {
      showSummary(true);
      drawSummaryMap();
      return;
    }
    showSummary(false);
    const cy = state.cy;
    if (!cy) {
      if (!state.mapLoading) ensureMap().then(scheduleRender);
      return;
    }
    const ids = new Set(state.routers.keys());
    cy.batch(() => {
      cy.nodes().forEach((n) => { if (!ids.has(n.id())) n.remove(); });
      for (const r of state.routers.values()) {
        let n = cy.getElementById(r.id);
        if (n.empty()) n = cy.add({ group: 'nodes', data: { id: r.id } });
        n.data('label', nodeLabel(r));
        n.data('state', r.state);
        n.classes('st-' + styleClass(r.state));
      }
      const want = new Map();
      for (const l of state.links) {
        if (!ids.has(l.a) || !ids.has(l.b)) continue;
        const id = 'l:' + [l.a + '/' + l.a_interface, l.b + '/' + l.b_interface].sort().join('|');
        want.set(id, l);
      }
      cy.edges().forEach((e) => { if (!want.has(e.id())) e.remove(); });
      for (const [id, l] of want) {
        let e = cy.getElementById(id);
        if (e.empty()) e = cy.add({ group: 'edges', data: { id: id, source: l.a, target: l.b } });
        const ca = l.a_cost === undefined || l.a_cost === null ? '?' : l.a_cost;
        const cb = l.b_cost === undefined || l.b_cost === null ? '?' : l.b_cost;
        e.data('label', ca + ' / ' + cb);
        e.classes(l.excluded ? 'excluded' : '');
      }
    });
    const key = cy.nodes().map((n) => n.id()).sort().join(',') + '#' + cy.edges().map((e) => e.id()).sort().join(',');
    if (key !== state.layoutKey) {
      state.layoutKey = key;
      // Small networks on a circle (deterministic, no overlaps); larger ones by the
      // force-directed cose layout, from random starting points (all nodes start at 0,0).
      const n = cy.nodes().length;
      const opts = n <= 10
        ? { name: 'circle', avoidOverlap: true, padding: 30, startAngle: -Math.PI / 2 }
        : { name: 'cose', randomize: true, nodeDimensionsIncludeLabels: true, nodeRepulsion: 400000, idealEdgeLength: 90, numIter: 2000, padding: 20 };
      cy.layout(Object.assign({ animate: false }, opts)).run();
      cy.fit(undefined, 20);
    }
  }

  // ---- the router table ----

  function sortedRouters() {
    if (!state.sorted) {
      state.sorted = Array.from(state.routers.values()).sort((a, b) =>
        collator.compare(a.hostname || a.id, b.hostname || b.id));
    }
    return state.sorted;
  }

  function filteredRouters() {
    const text = state.filterText.toLowerCase();
    const st = state.filterState;
    const all = sortedRouters();
    if (!text && !st) return all;
    return all.filter((r) => (!st || styleClass(r.state) === st) &&
      (!text || (r.hostname || '').toLowerCase().includes(text) || r.id.toLowerCase().includes(text)));
  }

  function filterByState(s) {
    state.filterState = s;
    $('r-state').value = s;
    state.page = 0;
    drawRouters();
  }

  function drawRouters() {
    const tb = $('routers').tBodies[0];
    tb.textContent = '';
    const all = filteredRouters();
    const pages = Math.max(1, Math.ceil(all.length / PAGE_ROWS));
    if (state.page >= pages) state.page = pages - 1;
    const first = state.page * PAGE_ROWS;
    const list = all.slice(first, first + PAGE_ROWS);
    $('r-page').textContent = all.length
      ? 'routers ' + (first + 1).toLocaleString('en') + '–' + (first + list.length).toLocaleString('en') + ' of ' + all.length.toLocaleString('en')
      : 'no router matches';
    $('r-prev').disabled = state.page === 0;
    $('r-next').disabled = state.page >= pages - 1;
    const frag = document.createDocumentFragment();
    for (const r of list) {
      const tr = document.createElement('tr');
      tr.dataset.router = r.id;
      tr.dataset.state = r.state || '';
      if (r.id === state.selected) tr.className = 'selected';
      const name = el('td');
      const b = el('button', r.hostname || r.id, 'link');
      b.type = 'button';
      b.setAttribute('aria-label', 'show router ' + (r.hostname || r.id));
      b.addEventListener('click', () => select(r.id));
      name.appendChild(b);
      tr.appendChild(name);
      tr.appendChild(el('td', r.id, 'mono'));
      const st = el('td');
      st.appendChild(stateBadge(r.state));
      tr.appendChild(st);
      tr.appendChild(el('td', reasonSummary(r.reasons, r.nreasons), 'why'));
      frag.appendChild(tr);
    }
    tb.appendChild(frag);
  }

  function render() {
    drawRouters();
    drawMap();
  }

  // Many changes in a burst (the stream at scale) make one render in the next frame.
  function scheduleRender() {
    if (state.renderPending) return;
    state.renderPending = true;
    requestAnimationFrame(() => {
      state.renderPending = false;
      render();
    });
  }

  // ---- the selected router ----

  function fillRows(table, rows) {
    const tb = table.tBodies[0];
    tb.textContent = '';
    for (const cells of rows) {
      const tr = document.createElement('tr');
      for (const c of cells) tr.appendChild(el('td', c === undefined || c === null ? '' : c));
      tb.appendChild(tr);
    }
    table.hidden = rows.length === 0;
  }

  async function select(id) {
    state.selected = id;
    if (state.cy) {
      state.cy.nodes().unselect();
      state.cy.getElementById(id).select();
    }
    drawRouters();
    await loadDetail();
  }

  async function loadDetail() {
    const id = state.selected;
    if (!id) return;
    const [d, rt] = await Promise.all([
      api('/routers/' + encodeURIComponent(id)),
      api('/routers/' + encodeURIComponent(id) + '/routing'),
    ]);
    if (id !== state.selected) return; // another router was selected meanwhile
    $('detail-empty').hidden = true;
    $('detail-body').hidden = false;
    if (!d.ok) {
      $('d-name').textContent = id;
      $('d-verdict').textContent = 'cannot read this router (' + d.status + ')';
      return;
    }
    const r = d.body;
    const known = state.routers.get(id);
    if (known) {
      if (known.state !== r.state) state.sorted = null;
      known.state = r.state;
      known.reasons = r.reasons || [];
      known.nreasons = known.reasons.length;
    }
    $('d-name').textContent = r.hostname || id;
    const ds = $('d-state');
    ds.replaceWith(Object.assign(stateBadge(r.state), { id: 'd-state' }));
    $('d-id').textContent = id;
    $('d-verdict').textContent = r.verdict
      ? 'last verdict: ' + r.verdict + (r.reasons && r.reasons.length ? '' : ' (no reasons: every measured file is in a vendor list)')
      : 'no attestation yet';
    fillRows($('d-reasons'), (r.reasons || []).map((x) =>
      [x.code, x.path, x.expected, x.found, x.entry]));
    const note = $('d-routing-note');
    if (rt.ok && rt.body) {
      const enf = new Map((rt.body.enforcement || []).map((e) => [e.interface, e]));
      fillRows($('d-ifaces'), (rt.body.interfaces || []).map((i) => {
        const e = enf.get(i.name) || {};
        const status = e.status ? e.status + (e.attempts > 1 ? ' (' + e.attempts + ' tries)' : '') : '';
        return [i.name, i.address, i.cost, i.passive ? 'yes' : 'no',
          e.toward ? routerName(e.toward) : '', e.desired_cost === undefined ? '' : e.desired_cost + (e.excluded ? ' excluded' : ''), status];
      }));
      fillRows($('d-routes'), (rt.body.routes || []).map((x) =>
        [x.prefix, x.via, x.interface, x.metric, x.protocol]));
      note.textContent = rt.body.ospf_router_id ? 'OSPF router id ' + rt.body.ospf_router_id : '';
    } else {
      fillRows($('d-ifaces'), []);
      fillRows($('d-routes'), []);
      note.textContent = rt.status === 404 ? 'no routing report from this router yet' : 'routing not available (' + rt.status + ')';
    }
    render();
  }

  // ---- events ----

  function addEvent(ev, fresh) {
    if (!ev || typeof ev.id !== 'number') return;
    if (ev.id <= state.lastEvent) return;
    state.lastEvent = ev.id;
    const li = document.createElement('li');
    li.dataset.kind = ev.kind || '';
    li.dataset.id = String(ev.id);
    li.appendChild(el('time', fmtTime(ev)));
    li.appendChild(el('span', ev.kind, 'kind k-' + String(ev.kind || '').replace(/[^a-z-]/g, '')));
    li.appendChild(el('span', routerName(ev.router), 'who'));
    li.appendChild(el('span', ev.detail || '', 'what'));
    const ol = $('events');
    ol.insertBefore(li, ol.firstChild);
    while (ol.children.length > MAX_EVENTS) ol.removeChild(ol.lastChild);
    if (fresh && ev.router && state.selected === ev.router) loadDetail();
  }

  async function catchUpEvents() {
    // The newest MAX_EVENTS only: the timeline keeps no more.
    const e = await (early.events || api('/events?since=' + state.lastEvent + '&limit=' + MAX_EVENTS));
    early.events = null;
    if (e.ok && e.body && Array.isArray(e.body.events)) {
      for (const ev of e.body.events) addEvent(ev, true);
    }
  }

  // ---- data ----

  async function loadRouters() {
    const rs = await (early.routers || api('/routers?view=table'));
    early.routers = null;
    if (!rs.ok) {
      banner(rs.status === 401 ? 'not signed in: open a login link (qtpm-nms login-url)' : 'cannot read the routers (' + rs.status + ')');
      return;
    }
    // The list in columns (GET /routers?view=table, docs/NMS.md): a third of the bytes
    // of the object list at scale. Each router's newest verdict's first reason and their
    // number come with it (for the table's "why" column); a good router shows none.
    const cols = rs.body.columns || [];
    const at = (name) => cols.indexOf(name);
    const ci = at('id'), ch = at('hostname'), cs = at('state'), cn = at('reasons_count');
    const cc = at('reason_code'), cp = at('reason_path');
    const seen = new Set();
    for (const row of rs.body.rows || []) {
      const id = row[ci];
      seen.add(id);
      const old = state.routers.get(id) || {};
      const good = row[cs] === 'good';
      const reason = row[cc] ? { code: row[cc], path: row[cp] || undefined } : null;
      old.id = id;
      old.hostname = row[ch];
      old.state = row[cs];
      old.reasons = !good && reason ? [reason] : [];
      old.nreasons = good ? 0 : row[cn] || 0;
      state.routers.set(id, old);
    }
    for (const id of Array.from(state.routers.keys())) if (!seen.has(id)) state.routers.delete(id);
    state.sorted = null;
    // The links only matter to a map of routers: at scale the map summarises by state.
    const small = state.routers.size <= MAP_ROUTERS;
    const [topo] = await Promise.all([small ? api('/topology') : null, small ? ensureMap() : null]);
    state.links = topo && topo.ok && topo.body ? topo.body.links || [] : [];
    performance.mark('qtpm-routers-loaded');
    render();
  }

  async function loadReasons(r) {
    if (r.state === 'good') { r.reasons = []; r.nreasons = 0; return; }
    const d = await api('/routers/' + encodeURIComponent(r.id));
    if (d.ok && d.body) {
      r.reasons = d.body.reasons || [];
      r.nreasons = r.reasons.length;
    }
  }

  async function loadTopology() {
    if (state.routers.size > MAP_ROUTERS) return; // no links on the summary map
    const topo = await api('/topology');
    if (topo.ok && topo.body) {
      state.links = topo.body.links || [];
      for (const t of topo.body.routers || []) {
        const r = state.routers.get(t.id);
        if (r && r.state !== t.state) {
          r.state = t.state;
          state.sorted = null;
        }
      }
      scheduleRender();
    }
  }

  // ---- the policy ----

  function showPolicy(p) {
    if (!p || !p.metrics) return;
    for (const s of ['good', 'unknown', 'bad', 'offline']) {
      const input = $('m-' + s);
      if (document.activeElement !== input && p.metrics[s] !== undefined) input.value = p.metrics[s];
    }
    if (p.bad_action) $('bad-action').value = p.bad_action;
  }

  async function loadPolicy() {
    const p = await (early.policy || api('/routing/policy'));
    early.policy = null;
    if (p.ok) showPolicy(p.body);
    else $('policy-note').textContent = 'the policy cannot be read (' + p.status + ')';
  }

  function policyEditable(yes) {
    for (const e of $('policy').querySelectorAll('input, select, button')) e.disabled = !yes;
    if (!yes) $('policy-note').textContent = 'read-only session: only an operator can change the policy';
  }

  async function savePolicy(ev) {
    ev.preventDefault();
    const note = $('policy-note');
    const metrics = {};
    for (const s of ['good', 'unknown', 'bad', 'offline']) metrics[s] = Number($('m-' + s).value);
    const body = JSON.stringify({ metrics: metrics, bad_action: $('bad-action').value });
    note.textContent = 'saving…';
    const r = await api('/routing/policy', { method: 'PUT', body: body });
    if (r.ok) {
      showPolicy(r.body);
      note.textContent = 'policy saved';
    } else {
      note.textContent = 'refused (' + r.status + '): ' + (r.body && r.body.message ? r.body.message : 'error');
      loadPolicy();
      if (state.role !== 'operator') {
        // Whoever re-enabled the form by hand: it goes back to read-only.
        for (const e of $('policy').querySelectorAll('input, select, button')) e.disabled = true;
      }
    }
  }

  // ---- the live stream ----

  function setLive(on, text) {
    const l = $('live');
    l.textContent = text;
    l.className = 'badge ' + (on ? 'live-on' : 'live-off');
  }

  function parse(e) {
    try { return JSON.parse(e.data); } catch (x) { return null; }
  }

  function startStream() {
    if (state.stream) state.stream.close();
    const es = new EventSource(API + '/stream', { withCredentials: true });
    state.stream = es;
    es.addEventListener('open', () => {
      setLive(true, 'live');
      if (state.pollTimer) { clearInterval(state.pollTimer); state.pollTimer = null; }
    });
    es.addEventListener('hello', () => {
      // Whatever happened while we were away: re-read the state, then the missed events.
      loadRouters().then(catchUpEvents);
      loadPolicy();
    });
    es.addEventListener('router', (e) => {
      const d = parse(e);
      if (!d || !d.id) return;
      const r = state.routers.get(d.id);
      if (!r) { loadRouters(); return; }
      if (r.state !== d.state) {
        // For screen readers: the map is a canvas, the change is said in words.
        const st = STATES[d.state] || { label: d.state };
        $('announce').textContent = (d.hostname || r.hostname || d.id) + ' is now ' + st.label;
      }
      if (r.state !== d.state || (d.hostname && d.hostname !== r.hostname)) state.sorted = null;
      r.state = d.state;
      if (d.hostname) r.hostname = d.hostname;
      scheduleRender();
      loadReasons(r).then(scheduleRender);
      if (state.selected === d.id) loadDetail();
    });
    es.addEventListener('event', (e) => {
      const d = parse(e);
      if (!d) return;
      addEvent(d, true);
      if (d.kind === 'enrolled' && d.router && !state.routers.has(d.router)) loadRouters();
    });
    es.addEventListener('routing', (e) => {
      const d = parse(e);
      loadTopology();
      if (d && state.selected === d.id) loadDetail();
    });
    es.addEventListener('policy', (e) => showPolicy(parse(e)));
    es.addEventListener('error', () => {
      if (es.readyState === EventSource.CLOSED) {
        // The server refused the stream (e.g. the session ended): poll until it is back.
        setLive(false, 'not live: polling');
        if (!state.pollTimer) {
          state.pollTimer = setInterval(() => { loadRouters(); catchUpEvents(); }, 2000);
          setTimeout(startStream, 10000);
        }
      } else {
        setLive(false, 'reconnecting…');
      }
    });
  }

  // ---- start ----

  function initTable() {
    let timer = null;
    $('r-filter').addEventListener('input', (e) => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        state.filterText = e.target.value.trim();
        state.page = 0;
        drawRouters();
      }, 150);
    });
    $('r-state').addEventListener('change', (e) => filterByState(e.target.value));
    $('r-prev').addEventListener('click', () => { state.page--; drawRouters(); });
    $('r-next').addEventListener('click', () => { state.page++; drawRouters(); });
  }

  async function main() {
    initTable();
    $('policy').addEventListener('submit', savePolicy);
    $('logout-form').addEventListener('submit', async (e) => {
      e.preventDefault();
      await fetch('/logout', { method: 'POST', credentials: 'same-origin' });
      window.location.assign('/');
    });
    const who = await early.session;
    if (!who.ok) {
      $('role').textContent = 'not signed in';
      setLive(false, 'offline');
      policyEditable(false);
      banner('not signed in: open a login link from `qtpm-nms login-url --dir D --role operator|read-only`, or use a client certificate');
      return;
    }
    state.role = who.body.role;
    $('role').textContent = state.role;
    $('role').className = 'badge role-' + state.role;
    document.body.dataset.role = state.role;
    policyEditable(state.role === 'operator');
    await Promise.all([loadRouters(), loadPolicy(), catchUpEvents()]);
    // The first render is on screen after the next frame: mark it then.
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
    performance.mark('qtpm-first-render');
    startStream();
    document.body.dataset.ready = '1';
  }

  // The first requests go out as soon as this script runs (it is deferred: the document
  // is parsed by then), and main() picks their answers up at DOMContentLoaded. The graph
  // library is loaded only for a map of routers (ensureMap), so at scale it costs nothing.
  early.session = api('/session');
  early.routers = api('/routers?view=table');
  early.policy = api('/routing/policy');
  early.events = api('/events?since=0&limit=' + MAX_EVENTS);
  document.addEventListener('DOMContentLoaded', main);
})();
