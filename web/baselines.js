// baselines.js - behaviour baselines: the list with the label rules of modes (added, changed, removed by operators), one baseline (entries, mode, versions and diffs, YAML export and import), its deviations with one-click accept, and the matching the network map shares.
import { api, session, token, ApiError } from './api.js';
import { h, table, empty, fmtTime, link, section, dl, announce, shortDigest } from './dom.js';
import { openDialog } from './findings.js';

const enc = encodeURIComponent;

// [section in the document, entry kind in accept and diff] in runtime/baseline.c's order
export const SECTIONS = [['processes', 'process'], ['probes', 'probe'], ['files', 'file'], ['listen', 'listen'],
	['outbound', 'outbound'], ['inbound', 'inbound'], ['capabilities', 'capability']];
const MODES = {
	learn: 'learn: every event of its containers adds what is new; nothing is flagged.',
	monitor: 'monitor: anything no entry matches is reported as a deviation.',
	protect: 'protect: the containers may exec only the baseline\'s executables (others are killed in the kernel); other deviations get the agent\'s protect action.',
};

export const canChange = () => session.role === 'operator' || session.role === 'admin';

// ---- matching, as src/runtime/baseline.c does it (the network map's edge status, a deviation now allowed)

// "registry:5000/team/app:1.2@sha256:…" -> "registry:5000/team/app" (bh_baseline_repository_of)
export function repoOf(image) {
	if (!image) return '';
	let s = String(image);
	const at = s.indexOf('@');
	if (at >= 0) s = s.slice(0, at);
	const colon = s.lastIndexOf(':');
	if (colon > s.lastIndexOf('/')) s = s.slice(0, colon);
	return s;
}

// An IPv4 or IPv6 address -> {fam, b: 16 bytes (IPv4 in the first 4)}, or null.
function parseAddr(s) {
	const b = new Uint8Array(16);
	const v4 = (t, off) => {
		const p = t.split('.');
		if (p.length !== 4) return false;
		for (let i = 0; i < 4; i++) {
			if (!/^\d{1,3}$/.test(p[i]) || Number(p[i]) > 255) return false;
			b[off + i] = Number(p[i]);
		}
		return true;
	};
	if (!s.includes(':')) return v4(s, 0) ? { fam: 4, b } : null;
	let t = s;
	const dot = t.lastIndexOf(':');
	let tail = [];
	if (t.slice(dot + 1).includes('.')) { // ::ffff:a.b.c.d
		if (!v4(t.slice(dot + 1), 12)) return null;
		tail = [b[12], b[13], b[14], b[15]];
		t = `${t.slice(0, dot + 1)}0:0`;
	}
	const halves = t.split('::');
	if (halves.length > 2) return null;
	const words = (x) => (x ? x.split(':') : []);
	const hi = words(halves[0]), lo = halves.length === 2 ? words(halves[1]) : [];
	if (halves.length === 1 ? hi.length !== 8 : hi.length + lo.length > 7) return null;
	const all8 = [...hi, ...Array(8 - hi.length - lo.length).fill('0'), ...lo];
	for (let i = 0; i < 8; i++) {
		if (!/^[0-9a-fA-F]{1,4}$/.test(all8[i])) return null;
		const v = parseInt(all8[i], 16);
		b[2 * i] = v >> 8;
		b[2 * i + 1] = v & 255;
	}
	if (tail.length) b.set(tail, 12);
	return { fam: 6, b };
}

function parsePrefix(s) {
	const slash = s.indexOf('/');
	const a = parseAddr(slash < 0 ? s : s.slice(0, slash));
	if (!a) return null;
	const max = a.fam === 4 ? 32 : 128;
	let plen = max;
	if (slash >= 0) {
		if (!/^\d+$/.test(s.slice(slash + 1))) return null;
		plen = Number(s.slice(slash + 1));
		if (plen > max) return null;
	}
	return { ...a, plen };
}

function contains(net, a) {
	const full = Math.floor(net.plen / 8), rest = net.plen % 8;
	for (let i = 0; i < full; i++) if (net.b[i] !== a.b[i]) return false;
	if (!rest) return true;
	const m = (0xff << (8 - rest)) & 0xff;
	return (net.b[full] & m) === (a.b[full] & m);
}

// runtime/blmon.c's is_private (RFC 1918, loopback, link-local, CGNAT, 0/8; ULA and link-local v6)
export function isPrivate(addr) {
	const a = parseAddr(addr);
	if (!a) return false;
	const p4 = (x, o) => x[o] === 10 || x[o] === 127 || (x[o] === 172 && (x[o + 1] & 0xf0) === 16) || (x[o] === 192 && x[o + 1] === 168)
		|| (x[o] === 169 && x[o + 1] === 254) || (x[o] === 100 && (x[o + 1] & 0xc0) === 64) || x[o] === 0;
	if (a.fam === 4) return p4(a.b, 0);
	const b = a.b;
	const lo = b.slice(0, 15).every((x) => x === 0) && b[15] === 1;
	const mapped = b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
	return lo || (b[0] & 0xfe) === 0xfc || (b[0] === 0xfe && (b[1] & 0xc0) === 0x80) || (mapped && p4(b, 12));
}

// An entry's peer against a peer seen {name: "image:REPO" | "host" | "", addrs: [...]} (peer_match)
export function peerMatch(p, peer) {
	if (!p) return false;
	if (p === '*') return true;
	if (p === 'host') return peer.name === 'host';
	if (p === 'world') return !peer.name && (!peer.addrs.length || peer.addrs.some((x) => !isPrivate(x)));
	if (p.startsWith('image:')) return peer.name === p;
	const net = parsePrefix(p);
	return !!net && peer.addrs.some((x) => { const a = parseAddr(x); return a && a.fam === net.fam && contains(net, a); });
}

const anyStr = (s) => !s || s === '*';
export const protoMatch = (e, o) => anyStr(e) || e === o;

// one path component against a pattern component (* ? [class] \x), as a regular expression
function compRe(p) {
	const esc = (c) => c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
	let re = '';
	for (let i = 0; i < p.length; i++) {
		const c = p[i];
		if (c === '*') re += '.*';
		else if (c === '?') re += '.';
		else if (c === '\\' && i + 1 < p.length) re += esc(p[++i]);
		else if (c === '[') {
			let j = i + 1, body = '', first = true;
			if (p[j] === '!' || p[j] === '^') { body = '^'; j++; }
			while (j < p.length && (p[j] !== ']' || first)) {
				first = false;
				let lo = p[j];
				if (lo === '\\' && j + 1 < p.length) lo = p[++j];
				j++;
				if (j + 1 < p.length && p[j] === '-' && p[j + 1] !== ']') {
					let hi = p[++j];
					if (hi === '\\' && j + 1 < p.length) hi = p[++j];
					j++;
					body += lo <= hi ? `${esc(lo)}-${esc(hi)}` : '(?!)';
				} else body += esc(lo);
			}
			if (j >= p.length) return null; // no ']': the C side refuses to match
			re += `[${body}]`;
			i = j;
		} else re += esc(c);
	}
	return new RegExp(`^${re}$`, 's');
}

// core/glob.c's doublestar match (an absolute pattern matches only absolute paths)
export function globMatch(pat, path) {
	if (pat === path) return true;
	if (!pat || !path || (pat[0] === '/') !== (path[0] === '/')) return false;
	const P = pat.split('/').filter(Boolean), N = path.split('/').filter(Boolean);
	const memo = new Map();
	const m = (i, j) => {
		const k = i * (N.length + 1) + j;
		if (memo.has(k)) return memo.get(k);
		let r;
		if (i === P.length) r = j === N.length;
		else if (P[i] === '**') r = m(i + 1, j) || (j < N.length && m(i, j + 1));
		else if (j === N.length) r = false;
		else {
			const re = compRe(P[i]);
			r = !!re && re.test(N[j]) && m(i + 1, j + 1);
		}
		memo.set(k, r);
		return r;
	};
	return m(0, 0);
}

// The peer a deviation names: an entry's form (image:REPO, host, an address) or peer_name / peer_addr.
function obsPeer(o) {
	const name = o.peer_name || (o.peer && (o.peer.startsWith('image:') || o.peer === 'host') ? o.peer : '');
	const addr = o.peer_addr || (o.peer && !name ? o.peer : '');
	return { name, addrs: addr ? [addr] : [] };
}

// The first entry of baseline doc that allows observation o, or null (bh_baseline_match).
export function allowedBy(doc, o) {
	const sec = (SECTIONS.find(([, k]) => k === o.kind) || [])[0];
	const list = sec && Array.isArray(doc[sec]) ? doc[sec] : [];
	const port = Number(o.port) || 0;
	return list.find((x) => {
		switch (o.kind) {
		case 'process':
			return o.exe && globMatch(x.exe, o.exe) && (anyStr(x.parent) || !o.parent || globMatch(x.parent, o.parent))
				&& !(x.sha256 && o.sha256 && x.sha256 !== o.sha256);
		case 'probe': return x.exe === o.exe && x.args === o.args;
		case 'file': return o.path && globMatch(x.path, o.path) && (anyStr(x.access) || !o.access || x.access.includes(o.access[0]));
		case 'listen': return protoMatch(x.proto, o.proto) && (!x.port || x.port === port);
		case 'outbound': case 'inbound':
			return peerMatch(x.peer, obsPeer(o)) && protoMatch(x.proto, o.proto) && (!x.port || x.port === port);
		case 'capability': return x.name === (o.name || o.cap);
		default: return false;
		}
	}) || null;
}

// A deviation's observation -> the entry POST /api/v1/baselines/accept adds (null when it cannot be built).
export function entryFromObs(o) {
	if (!o || typeof o !== 'object') return null;
	const str = (k) => (typeof o[k] === 'string' && o[k] ? o[k] : undefined);
	const port = Number.isInteger(o.port) && o.port >= 0 && o.port <= 65535 ? o.port : undefined;
	switch (o.kind) {
	case 'process': return str('exe') ? { kind: 'process', exe: o.exe, parent: str('parent'), sha256: str('sha256') } : null;
	case 'probe': return str('exe') && str('args') ? { kind: 'probe', exe: o.exe, args: o.args } : null;
	case 'file': return str('path') ? { kind: 'file', path: o.path, access: str('access') } : null;
	case 'listen': return { kind: 'listen', proto: str('proto'), port };
	case 'outbound': case 'inbound': {
		const peer = str('peer') || str('peer_name') || str('peer_addr');
		return peer ? { kind: o.kind, peer, proto: str('proto'), port } : null;
	}
	case 'capability': return str('name') || str('cap') ? { kind: 'capability', name: str('name') || str('cap') } : null;
	default: return null;
	}
}

// "{exe /bin/sh, parent /opt/app}" as bh_baseline_entry_describe writes it
export function describeEntry(kind, e) {
	const s = (v) => (v === undefined || v === null ? '' : String(v));
	switch (kind) {
	case 'process': return `{exe ${s(e.exe)}, parent ${s(e.parent) || '*'}}`;
	case 'probe': return `{probe ${s(e.args)}}`;
	case 'file': return `{path ${s(e.path)}, access ${s(e.access) || 'rw'}}`;
	case 'listen': return `{${s(e.proto) || '*'}/${e.port || 0}}`;
	case 'outbound': case 'inbound': return `{peer ${s(e.peer)}, ${s(e.proto) || '*'}/${e.port ? e.port : '*'}}`;
	case 'capability': return `{${s(e.name)}}`;
	default: return JSON.stringify(e);
	}
}

// ---- pieces of the pages

export function modeBadge(mode) {
	return h('span', { class: `badge mode-${['learn', 'monitor', 'protect'].includes(mode) ? mode : 'unknown'}` }, mode || '?');
}

function total(entries) {
	return entries ? Object.values(entries).reduce((a, b) => a + (Number(b) || 0), 0) : 0;
}

function countsText(entries) {
	if (!entries) return '';
	const parts = SECTIONS.map(([s, k]) => [s, k, entries[s] || 0]).filter(([, , n]) => n).map(([s, k, n]) => `${n} ${n === 1 ? k : s}`);
	return parts.length ? parts.join(', ') : 'no entries';
}

// "2026-12-07T05:55:34Z" or Unix seconds -> the dashboard's time format
function fmtAny(t) {
	if (typeof t === 'number') return fmtTime(t);
	if (typeof t === 'string' && t) {
		const ms = Date.parse(t);
		return Number.isNaN(ms) ? t : fmtTime(Math.floor(ms / 1000));
	}
	return '—';
}

const fileName = (repo, suffix) => `${repo.replace(/[^A-Za-z0-9._-]+/g, '_')}${suffix}`;

async function downloadYaml(repo, version) {
	const res = await api('/baselines/doc', { params: { repository: repo, version, format: 'yaml' }, raw: true });
	const blob = new Blob([await res.text()], { type: 'application/yaml' });
	const a = h('a', { href: URL.createObjectURL(blob), download: fileName(repo, version ? `.v${version}.yaml` : '.yaml') });
	document.body.append(a);
	a.click();
	setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
	announce(`${repo}${version ? ` version ${version}` : ''} downloaded as YAML`);
}

// PUT /api/v1/baselines with a YAML (or JSON) text: api() sends JSON only.
async function importText(text) {
	const res = await fetch('/api/v1/baselines', { method: 'PUT', headers: { Authorization: `Bearer ${token() || ''}`, 'Content-Type': 'application/yaml' }, body: text, cache: 'no-store' });
	let data = null;
	try { data = await res.json(); } catch { data = null; }
	if (!res.ok) {
		const e = data && data.error ? data.error : {};
		throw new ApiError(res.status, e.code || 'http', e.message || `PUT /baselines: HTTP ${res.status}`);
	}
	return data;
}

// The newest max baseline.deviation events (GET /api/v1/ui/events pages newest first; /api/v1/events
// would give the oldest), newest first by their time.
export async function deviations(max = 5000) {
	const evs = [];
	let before;
	for (;;) {
		const page = await api('/ui/events', { params: { type: 'baseline.deviation', limit: 1000, before } });
		evs.push(...(page.items || []));
		if (!page.next || evs.length >= max) break;
		before = page.next;
	}
	return evs.filter((e) => e.payload && typeof e.payload === 'object').sort((a, b) => (b.time - a.time) || (b.seq - a.seq));
}

// ---- #/baselines

export async function baselinesPage(root) {
	const [list, devs, rules] = await Promise.all([api('/baselines'), deviations(), api('/baselines/modes')]);
	const items = (list.items || []).slice().sort((a, b) => a.repository.localeCompare(b.repository));
	const devCount = new Map();
	for (const d of devs) devCount.set(d.payload.repository, (devCount.get(d.payload.repository) || 0) + 1);
	root.append(h('h1', {}, 'Baselines'));
	root.append(h('p', { class: 'help' }, 'What each image repository\'s containers do when nothing is wrong: processes, files, ports, peers, capabilities. ',
		'Learn them with ', h('code', {}, 'bulkhead watch --learn IMAGE'), ' and import them with ', h('code', {}, 'PUT /api/v1/baselines'), '.'));
	root.append(h('p', { class: 'status', role: 'status' }, `${items.length} baseline${items.length === 1 ? '' : 's'}, ${devs.length} deviation${devs.length === 1 ? '' : 's'} reported`));
	root.append(items.length ? table('Baselines', [
		{ label: 'Repository', get: (b) => link(`#/baselines/${enc(b.repository)}`, b.repository) },
		{ label: 'Mode', get: (b) => modeBadge(b.mode) },
		{ label: 'Version', cls: 'num', get: (b) => String(b.version) },
		{ label: 'Entries', get: (b) => [h('span', { class: 'num-inline' }, String(total(b.entries))), ' ', h('span', { class: 'muted small' }, countsText(b.entries))] },
		{ label: 'Deviations', cls: 'num', get: (b) => String(devCount.get(b.repository) || 0) },
		{ label: 'Updated', get: (b) => fmtTime(b.updated) },
		{ label: 'By', get: (b) => b.updated_by || '' },
	], items) : empty('No baselines yet: learn one with `bulkhead watch --learn IMAGE` and import it with PUT /api/v1/baselines.'));
	const rulesBox = h('div', { id: 'bl-rules' });
	root.append(rulesBox);
	drawRules(rulesBox, rules);
}

// ---- label rules (GET/PUT /api/v1/baselines/modes): first match wins over a baseline's own mode

const RULE_MODES = ['learn', 'monitor', 'protect'];

// PUT the whole list, built on the version shown (a change by someone else meanwhile is a 409).
async function putRules(version, labels) {
	return api('/baselines/modes', { method: 'PUT', params: { if_version: version },
		body: { apiVersion: 'bulkhead/v1', kind: 'BaselineModes', labels } });
}

function drawRules(box, rules, focusId) {
	const labels = Array.isArray(rules.labels) ? rules.labels : [];
	const status = h('p', { class: 'error', role: 'alert', id: 'bl-rules-error' });
	// a change: the new list sent, the section drawn again from the server's answer
	const change = async (next, done, focus) => {
		status.textContent = '';
		try {
			const r = await putRules(rules.version, next);
			announce(`${done} (label rules version ${r.version})`);
			drawRules(box, r, focus);
		} catch (e) {
			status.textContent = e.status === 409 ? `${e.message} — the rules below are the server's now.` : e.message;
			if (e.status === 409) drawRules(box, await api('/baselines/modes'), 'bl-rule-label');
			box.querySelector('#bl-rules-error').textContent = status.textContent;
		}
	};
	const cols = [
		{ label: '#', cls: 'num', get: (r) => String(labels.indexOf(r) + 1) },
		{ label: 'Label', get: (r) => h('code', {}, r.label) },
		{ label: 'Mode', get: (r) => modeBadge(r.mode) },
	];
	if (canChange()) {
		cols.push({ label: 'Actions', get: (r) => {
			const i = labels.indexOf(r);
			const sel = h('select', { 'aria-label': `New mode of rule ${r.label}`, id: `bl-rule-mode-${i}` },
				RULE_MODES.map((m) => h('option', { value: m, selected: m === r.mode }, m)));
			return h('span', { class: 'row-actions' }, sel,
				h('button', { type: 'button', class: 'secondary', 'aria-label': `Change the mode of rule ${r.label}`, onclick: () => {
					if (sel.value === r.mode) {
						status.textContent = `The rule ${r.label} is in ${r.mode} already.`;
						return;
					}
					change(labels.map((x) => (x === r ? { label: x.label, mode: sel.value } : x)), `Rule ${r.label}: ${r.mode} -> ${sel.value}`, `bl-rule-mode-${i}`);
				} }, 'Change'),
				h('button', { type: 'button', class: 'secondary', 'aria-label': `Remove rule ${r.label}`, onclick: () => confirmRemove(r, () =>
					change(labels.filter((x) => x !== r), `Rule ${r.label} removed`, 'bl-rule-label')) }, 'Remove'));
		} });
	}
	const parts = [
		h('p', { class: 'help' }, 'A container with a matching label runs in the rule\'s mode whatever its baseline\'s own mode says; the first match wins. ',
			'Agents write the rules into their ', h('code', {}, 'modes.yaml'), ' within seconds. ',
			'A label is ', h('code', {}, 'KEY=VALUE'), ' or ', h('code', {}, 'KEY'), ' (any value).'),
		h('p', { class: 'status' }, rules.version ? `Version ${rules.version}, ${fmtTime(rules.updated)}${rules.updated_by ? ` by ${rules.updated_by}` : ''}` : 'No label rules on the server yet.'),
		labels.length ? table('Label rules, first match wins', cols, labels) : empty('No label rules: every container has its baseline\'s mode.'),
	];
	if (canChange()) {
		const input = h('input', { type: 'text', id: 'bl-rule-label', name: 'label', required: true, maxlength: '255', autocomplete: 'off', spellcheck: 'false',
			placeholder: 'env=prod', 'aria-describedby': 'bl-rule-hint' });
		const sel = h('select', { id: 'bl-rule-mode', name: 'mode' }, RULE_MODES.map((m) => h('option', { value: m, selected: m === 'protect' }, m)));
		parts.push(h('form', { class: 'filters', 'aria-label': 'Add or change a label rule', onsubmit: (e) => {
			e.preventDefault();
			const label = input.value.trim();
			if (!label || label.startsWith('=')) {
				status.textContent = 'A label rule needs KEY=VALUE or KEY, e.g. env=prod.';
				input.focus();
				return;
			}
			const had = labels.find((x) => x.label === label);
			const next = had ? labels.map((x) => (x === had ? { label, mode: sel.value } : x)) : [...labels, { label, mode: sel.value }];
			change(next, had ? `Rule ${label}: ${had.mode} -> ${sel.value}` : `Rule ${label} added in ${sel.value}`, 'bl-rule-label');
		} },
		h('div', { class: 'field' }, h('label', { for: 'bl-rule-label' }, 'Label'), input, h('span', { class: 'muted small', id: 'bl-rule-hint' }, 'KEY=VALUE or KEY')),
		h('div', { class: 'field' }, h('label', { for: 'bl-rule-mode' }, 'Mode'), sel),
		h('button', { type: 'submit' }, 'Add rule')));
	}
	parts.push(status);
	box.replaceChildren(section('Label rules', parts));
	if (focusId) {
		const f = box.querySelector(`#${focusId}`);
		if (f) f.focus();
	}
}

function confirmRemove(rule, go) {
	const ok = h('button', { type: 'button', onclick: () => {
		document.getElementById('dialog').close();
		go();
	} }, `Remove ${rule.label}`);
	openDialog(`Remove the label rule ${rule.label}`,
		h('p', {}, `Containers labelled ${rule.label} go back to their baseline's own mode (now ${rule.mode} by this rule). The change is audit-logged.`),
		h('div', { class: 'actions' }, ok, h('button', { type: 'button', class: 'secondary', onclick: () => document.getElementById('dialog').close() }, 'Cancel')));
	ok.focus();
}

// ---- #/baselines/REPO

export async function baselinePage(root, params, repo) {
	const st = { repo, doc: null, versions: [], devs: [], justAccepted: new Map() };
	const head = h('div', { class: 'bl-head' });
	const devBox = h('div');
	const entriesBox = h('div');
	const versionsBox = h('div');
	const diffBox = h('div', { id: 'bl-diff', 'aria-live': 'polite' });
	const load = async () => {
		const [doc, versions, devs] = await Promise.all([
			api('/baselines/doc', { params: { repository: repo } }),
			api('/baselines/versions', { params: { repository: repo } }),
			deviations(),
		]);
		st.doc = doc;
		st.versions = versions.items || [];
		st.devs = devs.filter((d) => d.payload.repository === repo);
	};
	const draw = () => {
		drawHead(head, st, refresh);
		drawDeviations(devBox, st, refresh);
		drawEntries(entriesBox, st.doc);
		drawVersions(versionsBox, diffBox, st);
	};
	// after a change: the document, its versions and the deviations' status again
	const refresh = async () => {
		await load();
		draw();
	};
	await load();
	root.append(h('p', { class: 'crumbs' }, link('#/baselines', 'Baselines'), ' / '), h('h1', {}, repo));
	root.append(head, devBox, entriesBox, versionsBox);
	draw();
	const from = Number(params.get('from')), to = Number(params.get('to'));
	if (from) showDiff(diffBox, repo, from, to || undefined);
}

function drawHead(box, st, refresh) {
	const d = st.doc;
	const learn = d.learn || {};
	const status = h('p', { class: 'error', role: 'alert' });
	const modeRow = [modeBadge(d.mode)];
	if (canChange()) {
		const sel = h('select', { id: 'bl-mode', name: 'mode' }, ['learn', 'monitor', 'protect'].map((m) => h('option', { value: m, selected: m === d.mode }, m)));
		const btn = h('button', { type: 'button', class: 'secondary', onclick: () => confirmMode(st, sel.value, status, refresh) }, 'Change mode…');
		modeRow.push(h('span', { class: 'mode-form' }, h('label', { for: 'bl-mode', class: 'sr' }, `New mode of ${st.repo}`), sel, btn));
	}
	const exportBtn = h('button', { type: 'button', onclick: () => downloadYaml(st.repo).catch((e) => { status.textContent = e.message; }) }, 'Export YAML');
	const actions = [exportBtn];
	if (canChange()) {
		const file = h('input', { type: 'file', id: 'bl-import', name: 'import', accept: '.yaml,.yml,.json,application/yaml,application/json' });
		const imp = h('button', { type: 'button', class: 'secondary', onclick: async () => {
			status.textContent = '';
			if (!file.files || !file.files[0]) {
				status.textContent = 'Choose an edited YAML file first.';
				file.focus();
				return;
			}
			try {
				const r = await importText(await file.files[0].text());
				announce(`Imported ${r.repository}: version ${r.version}, ${r.mode}`);
				if (r.repository !== st.repo) location.hash = `#/baselines/${enc(r.repository)}`;
				else await refresh();
			} catch (e) {
				status.textContent = `Import refused: ${e.message}`;
			}
		} }, 'Import');
		actions.push(h('span', { class: 'import-form' }, h('label', { for: 'bl-import' }, 'Edited YAML'), file, imp));
	}
	box.replaceChildren(
		dl([
			['Mode', modeRow],
			['Version', String(d.version)],
			d.digest ? ['Learned on', h('code', { title: d.digest }, shortDigest(d.digest))] : null,
			learn.started ? ['Learning', `from ${fmtAny(learn.started)}, ${learn.events || 0} events; last new ${fmtAny(learn.last_new)}`] : null,
			['Updated', st.versions[0] ? `${fmtTime(st.versions[0].updated)}${st.versions[0].updated_by ? ` by ${st.versions[0].updated_by}` : ''}` : null],
		]),
		h('p', { class: 'help' }, MODES[d.mode] || ''),
		h('div', { class: 'actions' }, actions),
		status,
	);
}

function confirmMode(st, mode, status, refresh) {
	status.textContent = '';
	if (mode === st.doc.mode) {
		status.textContent = `${st.repo} is in ${mode} mode already.`;
		return;
	}
	const err = h('p', { class: 'error', role: 'alert' });
	const ok = h('button', { type: 'button', onclick: async () => {
		ok.disabled = true;
		try {
			const r = await api('/baselines/mode', { method: 'POST', body: { repository: st.repo, mode } });
			document.getElementById('dialog').close();
			announce(`${st.repo} is in ${r.mode} mode now (version ${r.version})`);
			await refresh();
			const sel = document.getElementById('bl-mode');
			if (sel) sel.focus();
		} catch (e) {
			ok.disabled = false;
			err.textContent = e.message;
		}
	} }, `Switch to ${mode}`);
	openDialog(`Change the mode of ${st.repo}`,
		h('p', {}, `From ${st.doc.mode} to ${mode}. Agents running `, h('code', {}, 'watch --baseline'), ' pick it up within seconds; the change is audit-logged.'),
		h('p', {}, MODES[mode]),
		err,
		h('div', { class: 'actions' }, ok, h('button', { type: 'button', class: 'secondary', onclick: () => document.getElementById('dialog').close() }, 'Cancel')));
	ok.focus();
}

function drawDeviations(box, st, refresh) {
	const devs = st.devs;
	const rows = devs.map((ev) => {
		const p = ev.payload;
		const obs = p.obs && typeof p.obs === 'object' ? p.obs : null;
		const entry = entryFromObs(obs);
		const allowed = obs ? allowedBy(st.doc, obs) : null;
		return { ev, p, obs, entry, allowed };
	});
	const open = rows.filter((r) => !r.allowed).length;
	const statusCell = (r) => {
		const acc = st.justAccepted.get(r.ev.seq);
		if (acc) return h('span', { class: 'accepted-note', tabindex: '-1', id: `dev-${r.ev.seq}` }, h('span', { class: 'badge accepted' }, 'accepted'), ` into version ${acc}`);
		if (r.allowed) return h('span', {}, h('span', { class: 'badge allowed' }, 'allowed now'), ' ', h('code', { class: 'small' }, describeEntry(r.obs.kind, r.allowed)));
		if (!r.entry) return h('span', { class: 'muted' }, 'no observation to accept');
		if (!canChange()) return h('span', { class: 'badge open' }, 'open');
		const btn = h('button', { type: 'button', class: 'accept-dev', 'aria-label': `Accept into baseline: ${r.p.what || describeEntry(r.entry.kind, r.entry)}`, onclick: async () => {
			btn.disabled = true;
			try {
				const res = await api('/baselines/accept', { method: 'POST', body: { repository: st.repo, entry: r.entry } });
				st.justAccepted.set(r.ev.seq, res.version);
				announce(`Accepted ${res.accepted} into ${st.repo}: version ${res.version}`);
				await refresh();
				const note = document.getElementById(`dev-${r.ev.seq}`);
				if (note) note.focus();
			} catch (e) {
				btn.disabled = false;
				btn.after(h('p', { class: 'error', role: 'alert' }, e.message));
			}
		} }, 'Accept into baseline');
		return btn;
	};
	box.replaceChildren(section(`Deviations (${open} open of ${devs.length})`,
		devs.length ? table(`Deviations of ${st.repo}, newest first`, [
			// what happened and its action first: at phone width the rest scrolls inside the frame
			{ label: 'Time', get: (r) => fmtTime(r.ev.time) },
			// a process's ancestry under what it was, when the agent saw it (chain)
			{ label: 'What', get: (r) => (r.p.chain ? h('span', {}, r.p.what || '', h('br'), h('code', { class: 'small chain', title: 'parent chain' }, r.p.chain)) : r.p.what || '') },
			{ label: 'Status', get: statusCell },
			{ label: 'Container', get: (r) => r.p.container || (r.ev.container ? r.ev.container.slice(0, 12) : '') },
			{ label: 'Violated', get: (r) => h('span', { class: 'small' }, r.p.violated || '') },
			{ label: 'Kind', get: (r) => r.p.kind || (r.obs && r.obs.kind) || '' },
			{ label: 'Host', get: (r) => r.ev.host || '' },
			{ label: 'Action taken', get: (r) => r.p.action_taken || '' },
			{ label: 'Mode', get: (r) => (r.p.mode ? `${r.p.mode}${r.p.mode_from === 'label' && r.p.mode_label ? ` (label ${r.p.mode_label})` : ''}` : '') },
			{ label: 'Against', cls: 'num', get: (r) => (r.p.baseline_version ? `v${r.p.baseline_version}` : '') },
		], rows, { rowClass: (r) => (r.allowed || st.justAccepted.has(r.ev.seq) ? 'dev allowed' : 'dev open') })
			: empty('No deviation of this baseline was reported (agents send them as baseline.deviation events).')));
}

const COLS = {
	process: [['Executable', (e) => h('code', {}, e.exe)], ['Parent', (e) => h('code', {}, e.parent || '*')], ['sha256', (e) => (e.sha256 ? h('code', { title: e.sha256 }, e.sha256.slice(0, 12)) : '')]],
	probe: [['Executable', (e) => h('code', {}, e.exe)], ['Command', (e) => h('code', {}, e.args)]],
	file: [['Path', (e) => h('code', {}, e.path)], ['Access', (e) => e.access || 'rw']],
	listen: [['Protocol', (e) => e.proto || '*'], ['Port', (e) => String(e.port || '*')]],
	outbound: [['Peer', (e) => h('code', {}, e.peer)], ['Protocol', (e) => e.proto || '*'], ['Port', (e) => String(e.port || '*')]],
	inbound: [['Peer', (e) => h('code', {}, e.peer)], ['Protocol', (e) => e.proto || '*'], ['Port', (e) => String(e.port || '*')]],
	capability: [['Capability', (e) => h('code', {}, typeof e === 'string' ? e : e.name)]],
};

function drawEntries(box, doc) {
	const parts = SECTIONS.map(([sec, kind]) => {
		const list = Array.isArray(doc[sec]) ? doc[sec] : [];
		const cols = COLS[kind].map(([label, get]) => ({ label, get }));
		cols.push({ label: 'Source', get: (e) => (e.source ? h('span', { class: `badge src-${e.source}` }, e.source) : '') },
			{ label: 'Seen', cls: 'num', get: (e) => (e.count ? String(e.count) : '') },
			{ label: 'Last seen', get: (e) => fmtAny(e.last_seen) });
		return [h('h3', { id: `sec-${sec}` }, `${sec[0].toUpperCase()}${sec.slice(1)} (${list.length})`),
			list.length ? table(`${sec} of ${doc.repository}`, cols, list) : empty(`No ${sec} entries.`)];
	});
	box.replaceChildren(section('Entries', parts));
}

async function showDiff(box, repo, from, to) {
	box.replaceChildren(h('p', { class: 'status' }, 'Loading the changes…'));
	try {
		const d = await api('/baselines/diff', { params: { repository: repo, from, to } });
		const rows = [...(d.added || []).map((e) => ({ sign: '+', e })), ...(d.removed || []).map((e) => ({ sign: '−', e }))];
		const title = `Changes from version ${d.from_version} to version ${d.to_version}`;
		box.replaceChildren(h('h3', { tabindex: '-1', id: 'bl-diff-title' }, title),
			d.mode ? h('p', { class: 'mode-change' }, 'Mode: ', modeBadge(d.mode.from), ' → ', modeBadge(d.mode.to)) : h('p', { class: 'muted' }, 'Mode unchanged.'),
			rows.length ? table(title, [
				{ label: 'Change', get: (r) => h('span', { class: `badge ${r.sign === '+' ? 'added' : 'removed'}` }, r.sign === '+' ? '+ added' : '− removed') },
				{ label: 'Kind', get: (r) => r.e.kind },
				{ label: 'Entry', get: (r) => h('code', {}, describeEntry(r.e.kind, r.e)) },
				{ label: 'Source', get: (r) => r.e.source || '' },
			], rows, { rowClass: (r) => (r.sign === '+' ? 'diff-added' : 'diff-removed') }) : h('p', { class: 'muted' }, 'No entry added or removed.'));
		announce(`${title}: ${(d.added || []).length} added, ${(d.removed || []).length} removed${d.mode ? `, mode ${d.mode.from} to ${d.mode.to}` : ''}`);
	} catch (e) {
		box.replaceChildren(h('p', { class: 'error', role: 'alert' }, e.message));
	}
}

function drawVersions(box, diffBox, st) {
	const vs = st.versions;
	const opts = (sel) => vs.map((v) => h('option', { value: String(v.version), selected: v.version === sel }, `v${v.version} (${v.mode})`));
	const fromSel = h('select', { id: 'bl-from', name: 'from' }, opts(vs[1] ? vs[1].version : vs.length ? vs[0].version : 0));
	const toSel = h('select', { id: 'bl-to', name: 'to' }, opts(vs.length ? vs[0].version : 0));
	const form = h('form', { class: 'filters', 'aria-label': 'Compare versions', onsubmit: (e) => {
		e.preventDefault();
		showDiff(diffBox, st.repo, Number(fromSel.value), Number(toSel.value));
	} },
	h('div', { class: 'field' }, h('label', { for: 'bl-from' }, 'From'), fromSel),
	h('div', { class: 'field' }, h('label', { for: 'bl-to' }, 'To'), toSel),
	h('button', { type: 'submit' }, 'Compare'));
	const older = (i) => vs[i + 1];
	box.replaceChildren(section(`Versions (${vs.length})`,
		vs.length ? table(`Versions of ${st.repo}, newest first`, [
			{ label: 'Version', cls: 'num', get: (v) => `v${v.version}` },
			{ label: 'Mode', get: (v) => modeBadge(v.mode) },
			{ label: 'Entries', get: (v) => [String(total(v.entries)), ' ', h('span', { class: 'muted small' }, countsText(v.entries))] },
			{ label: 'Updated', get: (v) => fmtTime(v.updated) },
			{ label: 'By', get: (v) => v.updated_by || '' },
			{ label: 'Actions', get: (v) => {
				const i = vs.indexOf(v);
				return h('span', { class: 'row-actions' },
					older(i) ? h('button', { type: 'button', class: 'secondary', 'aria-label': `Changes in version ${v.version}`, onclick: () => {
						fromSel.value = String(older(i).version);
						toSel.value = String(v.version);
						showDiff(diffBox, st.repo, older(i).version, v.version);
					} }, 'Changes') : null,
					h('button', { type: 'button', class: 'secondary', 'aria-label': `Download version ${v.version} as YAML`, onclick: () => downloadYaml(st.repo, v.version) }, 'YAML'));
			} },
		], vs) : empty('No versions.'),
		vs.length > 1 ? form : null, diffBox));
}
