// The on-call page: reads and decides through the watchdog's API with the token typed in at sign-in.
// Everything from the API is put on the page as text (textContent, append), never as markup.
'use strict';

const KEY = 'watchdog.token';          // sessionStorage only: gone when the tab closes
const REFRESH_MS = 5000;
const URGENT = {rollback_failed: 0, degraded: 1, rolling_back: 2, watching: 3};
const OUTCOMES = ['p0', 'p1', 'pending', 'error', 'ok', 'inconclusive', 'waiting'];   // a rule's, most urgent first
const STATES = ['watching', 'degraded', 'rolling_back', 'rolled_back', 'rollback_failed', 'passed', 'cancelled'];
const VERBS = {ack: 'acknowledge', accept: 'accept', rollback: 'roll back'};
const MARKS = {ack: 'Acknowledged', accept: 'Accepted', rollback: 'Roll back decided'};
const DONE = {ack: 'Acknowledged: paging stopped.', accept: 'Accepted: the release is kept and watched.',
  rollback: 'Rollback asked for.'};

const $ = (id) => document.getElementById(id);
let selected = null;      // the id of the release shown, from the URL's #fragment
let release = null;       // that release as last read
let shown = {};           // the text last rendered per part, so that an unchanged answer changes nothing
let readOnly = false;     // set once the API refused a decision for this token's role
let queue = Promise.resolve();
let queued = 0;

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function api(method, path, body) {
  const token = sessionStorage.getItem(KEY);
  // Behind an authenticating proxy the page has no token: the proxy says who is asking.
  const init = {method, cache: 'no-store', headers: token ? {Authorization: 'Bearer ' + token} : {}};
  if (body) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch('/api/v1' + path, init);
  } catch (e) {
    throw new ApiError(0, 'The watchdog cannot be reached.');
  }
  const json = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, (json && json.error) || 'HTTP ' + res.status);
  return json;
}

// An element with attributes and children; strings become text nodes.
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

function say(id, text, problem) {
  const node = $(id);
  node.textContent = text || '';
  node.hidden = !text;
  node.classList.toggle('problem', !!problem);
}

const words = (s) => String(s).replace(/_/g, ' ');
const stateClass = (s) => (STATES.includes(s) ? s : 'other');
const rank = (state) => (Object.hasOwn(URGENT, state) ? URGENT[state] : 4);   // who needs someone first
const badge = (state) => el('span', {class: 'badge state-' + stateClass(state)}, (rank(state) < 3 ? '! ' : '') + words(state));

function num(v) {
  if (Number.isInteger(v) || Math.abs(v) >= 100) return String(Math.round(v));
  return v.toPrecision(3).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
}

// A value in its rule's unit, as the watchdog's messages show it: ratio 0.023 is 2.3 %, seconds 0.85 is 850 ms.
function fmt(unit, v) {
  if (v === null || v === undefined) return 'no data';
  if (typeof v !== 'number' || !isFinite(v)) return String(v);
  switch (unit) {
    case 'ratio': return num(v * 100) + ' %';
    case 'percent': return num(v) + ' %';
    case 'seconds': return Math.abs(v) < 1 ? num(v * 1000) + ' ms' : num(v) + ' s';
    case 'bytes': {
      const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
      let i = 0;
      for (; Math.abs(v) >= 1024 && i < units.length - 1; i++) v /= 1024;
      return num(v) + ' ' + units[i];
    }
    default: return num(v);
  }
}

// "> 0.01" in a ratio rule is "> 1 %"; a relative threshold ("< -20%") stays as written.
function threshold(unit, text) {
  const m = /^\s*(>=|<=|==|!=|>|<)\s*([-+]?\d*\.?\d+(?:[eE][-+]?\d+)?)\s*$/.exec(text || '');
  return m ? m[1] + ' ' + fmt(unit, Number(m[2])) : text;
}

// In the reader's time zone, which it names (CET, GMT+2); the UTC instant on hover.
function time(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  const today = d.toDateString() === new Date().toDateString();
  const zone = {timeZoneName: 'short'};
  return el('time', {datetime: iso, title: iso}, today ? d.toLocaleTimeString([], zone) : d.toLocaleString([], zone));
}

// Renders a part only when its data changed: no flicker, and focus stays where it was.
function changed(part, data) {
  const text = JSON.stringify(data);
  if (shown[part] === text) return false;
  shown[part] = text;
  return true;
}

function renderList(answer) {
  // Only what the list shows: a rule's value moving must not rebuild it under a keyboard user's focus.
  const list = answer.map(({id, service, version, environment, state, verdict}) => ({id, service, version, environment, state, verdict}));
  if (!changed('list', [list, selected])) return;
  const sorted = list.slice().sort((a, b) => rank(a.state) - rank(b.state) || (a.id < b.id ? 1 : -1));
  const items = sorted.map((r) => el('li', {class: 'release state-' + stateClass(r.state)},
    el('a', Object.assign({href: '#' + encodeURIComponent(r.id)}, r.id === selected ? {'aria-current': 'true'} : {}),
      el('span', {class: 'name'}, r.service + ' ' + r.version),
      el('span', {class: 'env'}, r.environment),
      badge(r.state),
      r.verdict ? el('span', {class: 'verdict'}, 'verdict: ' + words(r.verdict)) : null)));
  $('releases').replaceChildren(...(items.length ? items : [el('li', {class: 'muted'}, 'No releases yet.')]));
}

function renderRelease(r) {
  release = r;
  renderActions(r);
  if (!changed('release', r)) return;
  $('detail-title').textContent = `${r.service} ${r.version} (${r.environment})`;
  $('summary').replaceChildren(badge(r.state), r.verdict ? ' verdict: ' + words(r.verdict) : ' no verdict yet');
  renderIncident(r);
  say('before', beforeText(r.before));
  const facts = [['Previous version', r.previousVersion], ['Started', time(r.startedAt)], ['Healthy if calm until', time(r.bakeUntil)],
    ['Watched until', time(r.windowUntil)], ['Ended', time(r.endedAt)], ['Superseded by', r.supersededBy],
    ['Labels', Object.entries(r.labels || {}).map(([k, v]) => k + '=' + v).join(', ')], ['Id', r.id]];
  $('facts').replaceChildren(...facts.filter(([, v]) => v).flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
  renderRules(r.rules || []);
}

// What the rules saw at registration, as release show says it: said only when it matters.
function beforeText(b) {
  if (!b) return '';
  if (b.error) return 'Before the release: not looked at: ' + b.error;
  if ((b.breaching || []).length) {
    return 'Already breaching at registration, not caused by this release: ' + b.breaching.map((x) => x.rule + ' ' + x.severity).join(', ');
  }
  return b.judged === 0 ? 'At registration no rule found any data: check the service\'s name and its labels.' : '';
}

// Breaching first; the rules that never had data fold into one line that opens to name them.
function renderRules(rules) {
  const noData = (rule) => (rule.value === null || rule.value === undefined) && ['inconclusive', 'waiting'].includes(rule.outcome);
  const urgency = (rule) => { const i = OUTCOMES.indexOf(rule.outcome); return i < 0 ? OUTCOMES.length : i; };
  const sorted = rules.filter((rule) => !noData(rule)).sort((a, b) => urgency(a) - urgency(b));
  $('rules').replaceChildren(...sorted.map(ruleRow));
  const folded = rules.filter(noData).map((rule) => rule.name);
  $('nodata').hidden = !folded.length;
  $('nodata').querySelector('summary').textContent = `${folded.length} rule(s) without data so far`;
  $('nodata').querySelector('p').textContent = folded.join(', ');
}

function ruleRow(rule) {
  const t = rule.threshold || {};
  const limits = ['p1', 'p0'].filter((k) => t[k]).map((k) => k.toUpperCase() + ' ' + threshold(rule.unit, t[k])).join(', ');
  const baseline = rule.baselineOf ? fmt(rule.unit, rule.baseline) + ' (' + rule.baselineOf + ')' : 'none';
  const outcome = el('span', {class: 'outcome outcome-' + (rule.outcome || '').replace(/[^a-z0-9]/g, '')},
    /^p[01]$/.test(rule.outcome) ? rule.outcome.toUpperCase() + ' breach' : words(rule.outcome));
  return el('tr', {},
    el('th', {scope: 'row', 'data-label': 'Rule'}, rule.name, rule.dryRun ? ' (dry run)' : null),
    el('td', {'data-label': 'Outcome'}, outcome, rule.message ? el('span', {class: 'muted block'}, rule.message) : null),
    el('td', {'data-label': 'Value'}, fmt(rule.unit, rule.value)),
    el('td', {'data-label': 'Threshold'}, limits || 'none'),
    el('td', {'data-label': 'Baseline'}, baseline,
      rule.evidence ? el('span', {class: 'muted block evidence'}, rule.evidence.text) : null));
}

function renderIncident(r) {
  const inc = r.incident;
  if (!inc) {
    $('incident').replaceChildren(el('p', {class: 'muted'}, 'No incident.'));
    return;
  }
  $('incident').classList.toggle('card', !!inc.open);
  const status = {open: 'open: paging until someone acknowledges', acknowledged: 'acknowledged: paging stopped',
    accepted: 'accepted: the team keeps the release', resolved: 'resolved (' + words(inc.resolution || '') + ')'}[inc.status] || inc.status;
  const units = Object.fromEntries((r.rules || []).map((rule) => [rule.name, rule.unit]));
  const breaches = Object.values(inc.rules || {}).map((b) => el('li', {},
    `${b.rule}: ${fmt(units[b.rule], b.value)}` + (typeof b.baseline === 'number' ? ` against baseline ${fmt(units[b.rule], b.baseline)}` : '')
      + ` (${b.severity} ${threshold(units[b.rule], b.threshold)}${b.before ? ', already before the release' : ''})`));
  const marks = (inc.decisions || []).map((m) => el('li', {class: 'mark'}, (MARKS[m.kind] || words(m.kind)) + ' by ', el('strong', {}, m.who),
    ' at ', time(m.at), m.reason ? ': “' + m.reason + '”' : ''));
  $('incident').replaceChildren(
    el('p', {class: 'incident-head'}, el('span', {class: 'badge severity-' + (inc.severity === 'P0' ? 'p0' : 'p1')}, inc.severity),
      ' ' + status + ', level ' + inc.level),
    el('p', {class: 'muted'}, 'Opened ', time(inc.openedAt), inc.open && inc.nextDueAt ? el('span', {}, '; next step ', time(inc.nextDueAt)) : null,
      inc.resolvedAt ? el('span', {}, '; resolved ', time(inc.resolvedAt)) : null),
    el('ul', {class: 'breaches'}, ...breaches),
    marks.length ? el('ul', {class: 'marks'}, ...marks) : el('p', {class: 'muted'}, 'Nobody has acknowledged or decided yet.'));
}

// Buttons only where the release's state allows them, and none for a token the API refused.
function renderActions(r) {
  const inc = r.incident;
  const allowed = {ack: !!inc && inc.status === 'open', accept: !!inc && (inc.status === 'open' || inc.status === 'acknowledged'),
    rollback: ['watching', 'degraded', 'rollback_failed'].includes(r.state)};
  for (const [id, ok] of Object.entries(allowed)) $(id).hidden = !ok || readOnly;
  $('actions').hidden = readOnly || !Object.values(allowed).some(Boolean);
  say('readonly', readOnly ? 'This token can read but not decide: acknowledging and deciding need the oncall role.' : '');
}

function renderTimeline(events) {
  if (!changed('events', events)) return;
  const newest = events.slice(-100).reverse();
  const why = (e) => (e.data && typeof e.data.reason === 'string' ? ': “' + e.data.reason + '”' : '');
  $('timeline').replaceChildren(...newest.map((e) => el('li', {}, time(e.at), ' ', el('span', {class: 'type'}, words(e.type)), ' ', (e.message || '') + why(e))));
  if (events.length > newest.length) $('timeline').append(el('li', {class: 'muted'}, `${events.length - newest.length} older entries: see the API.`));
}

async function loadRelease() {
  const path = '/releases/' + encodeURIComponent(selected);
  const [r, events] = await Promise.all([api('GET', path), api('GET', path + '/events')]);
  if (r.id !== selected) return;
  $('detail').hidden = false;
  renderRelease(r);
  renderTimeline(events);
}

// One update at a time; a call while one runs queues one more (which reads the latest selection).
function refresh() {
  if (queued > 1) return queue;
  queued++;
  queue = queue.then(update).finally(() => queued--);
  return queue;
}

async function update() {
  if (!sessionStorage.getItem(KEY)) return;
  if (document.activeElement === $('reason')) {
    $('updated').textContent = 'Updates paused while you type a reason.';
    return;
  }
  try {
    renderList(await api('GET', '/releases?limit=100'));
    if (selected) await loadRelease();
    $('updated').textContent = 'Updated ' + new Date().toLocaleTimeString();
    say('problem', '');
  } catch (err) {
    failed(err);
  }
}

function failed(err) {
  if (err.status === 401) return signOut('This token is not valid (any more). Sign in again.');
  if (err.status === 404 && selected) return say('problem', 'No release ' + selected + ' here.', true);
  say('problem', err.message + ' Showing what was last seen.', true);
}

async function decide(action) {
  const verb = VERBS[action];
  const reason = $('reason').value.trim();
  if (!reason) {
    say('action-status', `Give a reason to ${verb}: it is recorded with your name.`, true);
    return $('reason').focus();
  }
  if (action === 'rollback' && !window.confirm(`Roll back ${$('detail-title').textContent} now? The rollback webhook is called at once.`)) return;
  for (const id of Object.keys(VERBS)) $(id).disabled = true;
  try {
    const r = await api('POST', `/releases/${encodeURIComponent(selected)}/${action}`, {reason});
    $('reason').value = '';
    say('action-status', DONE[action]);
    renderRelease(r);
    await refresh();
  } catch (err) {
    say('action-status', refusal(err, verb), true);
  } finally {
    for (const id of Object.keys(VERBS)) $(id).disabled = false;
  }
}

function refusal(err, verb) {
  if (err.status === 401) signOut('This token is not valid (any more). Sign in again.');
  if (err.status !== 403) return err.message;    // 409 and others: the API's own words
  readOnly = true;
  if (release) renderActions(release);
  const role = /needs (\w+)/.exec(err.message);
  return `This token cannot ${verb}: it needs the ${role ? role[1] : 'oncall'} role.`;
}

function select() {
  selected = decodeURIComponent(location.hash.slice(1)) || null;
  shown = {};
  $('detail').hidden = true;
  say('action-status', '');
  refresh().then(() => selected && $('detail-title').focus());
}

function signedIn() {
  $('signin').hidden = true;
  $('app').hidden = false;
  $('signout').hidden = false;
  select();
}

function signOut(message) {
  sessionStorage.removeItem(KEY);
  readOnly = false;
  shown = {};
  release = null;
  $('releases').replaceChildren();
  $('app').hidden = true;
  $('signout').hidden = true;
  $('signin').hidden = false;
  $('updated').textContent = '';
  say('problem', '');
  say('signin-error', message, true);
  $('token').focus();
}

async function signIn(event) {
  event.preventDefault();
  sessionStorage.setItem(KEY, $('token').value.trim());
  try {
    await api('GET', '/releases?limit=1');
    $('token').value = '';
    say('signin-error', '');
    signedIn();
  } catch (err) {
    sessionStorage.removeItem(KEY);
    say('signin-error', err.status === 401 ? 'This token is not valid.' : err.message, true);
  }
}

$('signin').addEventListener('submit', signIn);
$('signout').addEventListener('click', () => signOut(''));
$('actions').addEventListener('submit', (e) => e.preventDefault());
for (const action of Object.keys(VERBS)) $(action).addEventListener('click', () => decide(action));
window.addEventListener('hashchange', select);
setInterval(refresh, REFRESH_MS);
// Without a token, a trusted signing-in proxy may already have said who this is: try before asking for one.
if (sessionStorage.getItem(KEY)) signedIn(); else api('GET', '/releases?limit=1').then(signedIn, () => signOut(''));
