// K8s-DaaS status page: keeps the pool table live from the master's event stream.
// Every string from the server goes into the page through textContent or an attribute, never as
// markup. The stream opens with a full snapshot, so a reconnect repairs whatever was missed.
'use strict';

(() => {
  const EVENTS_URL = 'api/v1/events';
  const SAMPLE_LIMIT = 30;
  const STATUSES = ['pending', 'active', 'busy', 'offline', 'slashed'];
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const SPARK = { width: 72, height: 20, pad: 2 };
  const RETRY_CAP_MS = 30_000;

  /** nodeId → { tr, cells, status, samples, lastHeartbeatMs, cpu, memory } */
  const rows = new Map();
  let clockOffsetMs = 0; // server time − this browser's time, from the last snapshot
  let source = null;
  let retryTimer = null;
  let failures = 0;

  const byId = (id) => document.getElementById(id);
  const serverNow = () => Date.now() + clockOffsetMs;

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function svg(tag, attrs) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    return node;
  }

  // ---- formatting -------------------------------------------------------------------------

  function shortAddress(address) {
    return address.length > 14 ? `${address.slice(0, 6)}…${address.slice(-4)}` : address;
  }

  function formatSui(exact) {
    const n = Number(exact);
    return Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: 4 }) : String(exact);
  }

  function formatAge(ms) {
    const s = Math.max(0, Math.floor(ms / 1000));
    if (s < 60) return `${s} s ago`;
    const m = Math.floor(s / 60);
    if (m < 60) return `${m} min ago`;
    const h = Math.floor(m / 60);
    return h < 48 ? `${h} h ago` : `${Math.floor(h / 24)} d ago`;
  }

  function byteUnit(bytes) {
    return bytes >= 1024 ** 3 ? ['GiB', 1024 ** 3, 1] : ['MiB', 1024 ** 2, 0];
  }

  /** "1.9 / 7.5 GiB"; the unit is written once when both sides share it. */
  function formatUsage(used, total) {
    const [uUnit, uDiv, uDigits] = byteUnit(used);
    const [tUnit, tDiv, tDigits] = byteUnit(total);
    const u = (used / uDiv).toFixed(uDigits);
    const t = (total / tDiv).toFixed(tDigits);
    return uUnit === tUnit ? `${u} / ${t} ${tUnit}` : `${u} ${uUnit} / ${t} ${tUnit}`;
  }

  const isNum = (v) => typeof v === 'number' && Number.isFinite(v);

  // ---- sparkline --------------------------------------------------------------------------

  /** An inline SVG of `values` (0–100, null = no data), newest at the right edge. */
  function sparkline(values) {
    const { width, height, pad } = SPARK;
    const root = svg('svg', { class: 'spark', width, height, viewBox: `0 0 ${width} ${height}`, 'aria-hidden': 'true' });
    const points = [];
    const step = (width - 2 * pad) / (SAMPLE_LIMIT - 1);
    values.forEach((v, i) => {
      if (!isNum(v)) return;
      const x = width - pad - (values.length - 1 - i) * step;
      const y = height - pad - (Math.min(100, Math.max(0, v)) / 100) * (height - 2 * pad);
      points.push([x, y]);
    });
    root.dataset.samples = String(points.length);
    root.append(svg('line', { class: 'base', x1: pad, x2: width - pad, y1: height - pad, y2: height - pad }));
    if (points.length === 0) return root;
    const coords = points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
    const [x0] = points[0];
    const [xn, yn] = points[points.length - 1];
    if (points.length > 1) {
      root.append(svg('polygon', { class: 'area', points: `${x0},${height - pad} ${coords} ${xn},${height - pad}` }));
      root.append(svg('polyline', { class: 'line', points: coords }));
    }
    root.append(svg('circle', { class: 'last', cx: xn.toFixed(1), cy: yn.toFixed(1), r: 2 }));
    return root;
  }

  // ---- rows -------------------------------------------------------------------------------

  function createRow(nodeId) {
    const tr = element('tr');
    tr.dataset.nodeId = nodeId;
    const node = element('th', 'node mono', nodeId);
    node.scope = 'row';
    const pill = element('span', 'status');
    const cells = {
      status: element('td', 'status-cell'),
      owner: element('td', 'owner mono'),
      stake: element('td', 'stake num'),
      age: element('td', 'age'),
      cpu: element('td', 'cpu'),
      mem: element('td', 'mem'),
      k3s: element('td', 'k3s'),
      error: element('td', 'error'),
      pill,
      time: element('time'),
    };
    cells.status.append(pill);
    cells.age.append(cells.time);
    tr.append(node, cells.status, cells.owner, cells.stake, cells.age, cells.cpu, cells.mem, cells.k3s, cells.error);
    return { tr, cells, status: null, samples: [], lastHeartbeatMs: null, cpu: null, memory: null };
  }

  function insertSorted(row, nodeId) {
    const body = byId('rows');
    const next = [...body.children].find((tr) => tr.dataset.nodeId > nodeId);
    body.insertBefore(row.tr, next ?? null);
  }

  function renderStatus(row, status, connected) {
    const known = STATUSES.includes(status) ? status : 'unknown';
    row.cells.pill.className = `status status-${known}`;
    row.cells.pill.textContent = status;
    row.cells.pill.title = connected ? 'agent connected' : 'agent not connected';
    row.tr.dataset.status = status;
    if (row.status !== null && row.status !== status) {
      row.tr.classList.remove('changed');
      void row.tr.offsetWidth; // restart the highlight
      row.tr.classList.add('changed');
    }
    row.status = status;
  }

  function renderAge(row) {
    const time = row.cells.time;
    if (row.lastHeartbeatMs === null) {
      time.textContent = 'never';
      time.removeAttribute('datetime');
      delete time.dataset.at;
      row.cells.age.classList.add('muted');
      return;
    }
    row.cells.age.classList.remove('muted');
    time.dateTime = new Date(row.lastHeartbeatMs).toISOString();
    time.dataset.at = String(row.lastHeartbeatMs);
    time.title = new Date(row.lastHeartbeatMs).toLocaleString();
    time.textContent = formatAge(serverNow() - row.lastHeartbeatMs);
  }

  /** A sparkline and its current value side by side (a flex box inside the cell: the cell stays a table cell). */
  function metric(values, text) {
    const box = element('div', 'metric');
    box.append(sparkline(values), element('span', 'val', text));
    return box;
  }

  function renderMetrics(row) {
    const cpu = row.cpu;
    row.cells.cpu.replaceChildren(
      metric(row.samples.map((s) => s.cpuPercent), isNum(cpu) ? `${cpu.toFixed(1)} %` : '—'),
    );
    const mem = row.memory ?? {};
    const memText = isNum(mem.usedBytes) && isNum(mem.totalBytes) && mem.totalBytes > 0
      ? formatUsage(mem.usedBytes, mem.totalBytes)
      : '—';
    const memPercent = (s) => (isNum(s.memUsedBytes) && isNum(s.memTotalBytes) && s.memTotalBytes > 0 ? (100 * s.memUsedBytes) / s.memTotalBytes : null);
    row.cells.mem.replaceChildren(metric(row.samples.map(memPercent), memText));
  }

  function renderK3s(row, k3s) {
    const cell = row.cells.k3s;
    cell.replaceChildren();
    if (!k3s) {
      cell.append(element('span', 'muted', '—'));
    } else {
      cell.append(element('span', `k3s-${String(k3s.state).replace(/[^a-z]/g, '')}`, k3s.state));
      if (k3s.restarts > 0) cell.append(element('span', 'muted', ` · ${k3s.restarts} restart${k3s.restarts === 1 ? '' : 's'}`));
    }
    const error = k3s?.lastError;
    const text = element('div', 'error-text', error || '—');
    if (error) text.title = error;
    row.cells.error.replaceChildren(text);
    row.cells.error.classList.toggle('muted', !error);
  }

  /** Adds or refreshes a row from a full worker view (snapshot or transition). */
  function upsertWorker(w) {
    let row = rows.get(w.nodeId);
    if (!row) {
      row = createRow(w.nodeId);
      rows.set(w.nodeId, row);
      insertSorted(row, w.nodeId);
    }
    if (Array.isArray(w.samples)) row.samples = w.samples.slice(-SAMPLE_LIMIT);
    row.lastHeartbeatMs = w.lastHeartbeatAt ? Date.parse(w.lastHeartbeatAt) : null;
    row.cpu = w.cpu?.loadPercent ?? null;
    row.memory = w.memory ?? null;
    renderStatus(row, w.status, w.connected);
    row.cells.owner.textContent = shortAddress(w.owner);
    row.cells.owner.title = w.owner;
    row.cells.stake.textContent = formatSui(w.stakeSui);
    row.cells.stake.title = `${w.stakeSui} SUI`;
    renderAge(row);
    renderMetrics(row);
    renderK3s(row, w.k3s);
  }

  function removeWorker(nodeId) {
    rows.get(nodeId)?.tr.remove();
    rows.delete(nodeId);
  }

  function refreshCount() {
    byId('worker-count').textContent = `· ${rows.size}`;
    byId('empty').hidden = rows.size > 0;
  }

  function renderStats(stats) {
    for (const [key, value] of Object.entries(stats)) {
      const cell = byId(`stat-${key}`);
      if (!cell) continue;
      if (key.endsWith('Sui')) {
        cell.textContent = formatSui(value);
        cell.title = `${value} SUI`;
      } else {
        cell.textContent = Number(value).toLocaleString('en-US');
      }
    }
  }

  // ---- events -----------------------------------------------------------------------------

  function onSnapshot(s) {
    clockOffsetMs = s.serverNow - Date.now();
    const present = new Set(s.workers.map((w) => w.nodeId));
    for (const nodeId of [...rows.keys()]) if (!present.has(nodeId)) removeWorker(nodeId);
    for (const w of s.workers) upsertWorker(w);
    renderStats(s.stats);
    refreshCount();
  }

  function onTransition(t) {
    if (t.to === null || t.worker === null) removeWorker(t.nodeId);
    else upsertWorker(t.worker);
    refreshCount();
  }

  function onHeartbeat(h) {
    const row = rows.get(h.nodeId);
    if (!row) return;
    row.lastHeartbeatMs = h.at;
    row.cpu = h.cpu.loadPercent;
    row.memory = h.memory;
    row.samples.push({ at: h.at, cpuPercent: h.cpu.loadPercent, memUsedBytes: h.memory.usedBytes, memTotalBytes: h.memory.totalBytes });
    if (row.samples.length > SAMPLE_LIMIT) row.samples.splice(0, row.samples.length - SAMPLE_LIMIT);
    renderAge(row);
    renderMetrics(row);
    renderK3s(row, h.k3s);
  }

  function setConnection(state) {
    document.body.dataset.conn = state;
    byId('conn-text').textContent = { live: 'Live', connecting: 'Connecting…', reconnecting: 'Reconnecting…' }[state];
  }

  function on(es, name, handler) {
    es.addEventListener(name, (e) => {
      let data;
      try {
        data = JSON.parse(e.data);
      } catch {
        return;
      }
      handler(data);
    });
  }

  function connect() {
    clearTimeout(retryTimer);
    const es = new EventSource(EVENTS_URL);
    source = es;
    on(es, 'snapshot', (s) => {
      failures = 0;
      setConnection('live');
      onSnapshot(s);
    });
    on(es, 'transition', onTransition);
    on(es, 'heartbeat', onHeartbeat);
    on(es, 'stats', renderStats);
    es.addEventListener('error', () => {
      if (es !== source) return;
      setConnection('reconnecting');
      if (es.readyState !== EventSource.CLOSED) return; // EventSource retries a dropped stream itself
      // It gives up on an HTTP error (e.g. 503, too many pages open): retry with a capped, jittered backoff.
      es.close();
      failures++;
      const delay = Math.min(RETRY_CAP_MS, 1000 * 2 ** Math.min(failures, 5)) * (0.5 + Math.random() / 2);
      retryTimer = setTimeout(connect, delay);
    });
  }

  setInterval(() => {
    for (const row of rows.values()) if (row.lastHeartbeatMs !== null) renderAge(row);
  }, 1000);
  connect();
})();
