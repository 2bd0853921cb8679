// hosts.js - hosts and containers: facts, CIS results (host and container), the containers of a host, runtime events.
import { api, all, session } from './api.js';
import { h, table, empty, sevBadge, fmtTime, link, dl, shortDigest, section, go } from './dom.js';
import { acceptDialog } from './findings.js';

const enc = encodeURIComponent;

export async function hostsPage(root) {
	const hosts = await all('/hosts');
	root.append(h('h1', {}, 'Hosts'));
	root.append(hosts.length ? table('Hosts', [
		{ label: 'Host', get: (x) => link(`#/hosts/${enc(x.name)}`, x.name) },
		{ label: 'OS', get: (x) => x.os },
		{ label: 'Kernel', get: (x) => x.kernel },
		{ label: 'Engine', get: (x) => [x.engine, x.engine_version].filter((v) => v).join(' ') },
		{ label: 'Last seen', get: (x) => fmtTime(x.last_seen) },
	], hosts) : empty('No hosts yet: run `bulkhead agent` on one.'));
}

// Check results (CIS of hosts and containers, an image's checks), failures first; accepted ones
// (an exception of their rule) marked, and for operators an "Accept…" on each failure. ctx: the
// scopes the page knows (image, repository, host); opts.detail adds the detail column.
export function checkTable(caption, checks, ctx = {}, opts = {}) {
	const order = { fail: 0, manual: 1, 'not-applicable': 2, pass: 3 };
	const st = (c) => c.status || 'fail'; // an image's stored checks are failures
	const rows = checks.slice().sort((a, b) => (a.accepted ? 1 : 0) - (b.accepted ? 1 : 0) || (order[st(a)] ?? 4) - (order[st(b)] ?? 4) || String(a.rule_id).localeCompare(String(b.rule_id)));
	const failed = rows.filter((c) => st(c) === 'fail' && !c.accepted).length;
	const accepted = rows.filter((c) => c.accepted).length;
	const canAccept = session.exceptions && session.role !== 'viewer';
	return [h('p', { class: 'status' }, `${failed} failed of ${rows.length} results${accepted ? `, ${accepted} accepted` : ''}`), table(caption, [
		{ label: 'Rule', get: (c) => h('code', {}, c.rule_id) },
		{ label: 'Status', get: (c) => [h('span', { class: `badge st-${st(c)}` }, st(c)),
			c.accepted ? [' ', h('span', { class: 'badge accepted', title: c.accepted.reason || '' }, `accepted until ${fmtTime(c.accepted.expires)}`)] : ''] },
		{ label: 'Severity', get: (c) => sevBadge(c.severity) },
		{ label: 'Title', get: (c) => c.title },
		{ label: 'Target', get: (c) => (c.target ? h('code', {}, c.target) : '') },
		opts.detail ? { label: 'Detail', get: (c) => c.detail } : null,
		canAccept ? { label: 'Action', get: (c) => (st(c) === 'fail' && !c.accepted ? h('button', { type: 'button', class: 'secondary accept-rule',
			'aria-label': `Accept ${c.rule_id}${c.target ? ` on ${c.target}` : ''}`, onclick: () => acceptDialog(c, ctx) }, 'Accept…') : '') } : null,
	].filter((c) => c), rows)];
}

function eventTable(caption, events) {
	return table(caption, [
		{ label: 'Time', get: (e) => fmtTime(e.time) },
		{ label: 'Type', get: (e) => h('code', {}, e.type) },
		{ label: 'Container', get: (e) => (e.container ? e.container.slice(0, 12) : '') },
		{ label: 'Detail', get: (e) => eventDetail(e.payload) },
	], events);
}

export function eventDetail(p) {
	if (!p || typeof p !== 'object') return '';
	const keys = ['rule', 'priority', 'output', 'message', 'name', 'image', 'path', 'comm', 'exe', 'advisory', 'purl', 'digest'];
	const parts = keys.filter((k) => p[k] !== undefined && p[k] !== null && typeof p[k] !== 'object').map((k) => `${k}: ${p[k]}`);
	return parts.length ? parts.join(' · ').slice(0, 300) : JSON.stringify(p).slice(0, 200);
}

function containerTable(caption, ctrs) {
	return table(caption, [
		{ label: 'Container', get: (c) => link(`#/containers/${enc(c.host)}/${enc(c.container_id)}`, c.name || c.container_id.slice(0, 12)) },
		{ label: 'Host', get: (c) => link(`#/hosts/${enc(c.host)}`, c.host) },
		{ label: 'Image', get: (c) => (c.image_digest ? link(`#/images/${enc(c.image_digest)}`, shortDigest(c.image_digest)) : '') },
		{ label: 'State', get: (c) => h('span', { class: `badge state-${c.state}` }, c.state) },
		{ label: 'Started', get: (c) => fmtTime(c.started_at) },
	], ctrs);
}

export async function hostPage(root, params, name) {
	const [hosts, checks, ctrs, events] = await Promise.all([
		all('/hosts'), all(`/hosts/${enc(name)}/checks`, { container: '', accepted: session.exceptions ? 'true' : undefined }), all('/containers', { host: name }),
		api('/ui/events', { params: { host: name, limit: 50 } }),
	]);
	const host = hosts.find((x) => x.name === name);
	if (!host) throw new Error(`No host named ${name}`);
	root.append(h('p', { class: 'crumbs' }, link('#/hosts', 'Hosts'), ' / '), h('h1', {}, name));
	root.append(dl([['OS', host.os], ['Kernel', host.kernel], ['Engine', [host.engine, host.engine_version].filter((v) => v).join(' ')],
		['First seen', fmtTime(host.first_seen)], ['Last seen', fmtTime(host.last_seen)]]));
	const own = checks.filter((c) => !c.container_id);
	root.append(section('CIS Docker Benchmark (host)', own.length ? checkTable(`CIS results of ${name}`, own, { host: name }) : empty('No CIS results for this host.')));
	root.append(section('Containers', ctrs.length ? containerTable(`Containers on ${name}`, ctrs) : empty('No containers seen on this host.')));
	root.append(section('Latest events', events.items.length ? eventTable(`Latest events of ${name}`, events.items) : empty('No events from this host.')));
}

export async function containersPage(root, params) {
	const running = params.get('running') === 'true';
	const ctrs = await all('/containers', { running: running || undefined });
	root.append(h('h1', {}, 'Containers'));
	const box = h('input', { type: 'checkbox', id: 'c-run', checked: running, onchange: (e) => go('/containers', { running: e.target.checked ? 'true' : '' }) });
	root.append(h('div', { class: 'filters' }, h('div', { class: 'check' }, box, h('label', { for: 'c-run' }, 'Running only'))));
	root.append(h('p', { class: 'status', role: 'status' }, `${ctrs.length} containers`));
	root.append(ctrs.length ? containerTable('Containers', ctrs) : empty('No containers.'));
}

export async function containerPage(root, params, host, id) {
	const [ctrs, checks, events] = await Promise.all([
		all('/containers', { host }), all(`/containers/${enc(id)}/checks`, { host, accepted: session.exceptions ? 'true' : undefined }),
		api('/ui/events', { params: { host, container: id, limit: 100 } }),
	]);
	const c = ctrs.find((x) => x.container_id === id);
	if (!c) throw new Error(`No container ${id} on ${host}`);
	root.append(h('p', { class: 'crumbs' }, link('#/containers', 'Containers'), ' / '), h('h1', {}, c.name || id.slice(0, 12)));
	root.append(dl([['Container id', h('code', {}, id)], ['Host', link(`#/hosts/${enc(host)}`, host)],
		['Image', c.image_digest ? link(`#/images/${enc(c.image_digest)}`, c.image_digest) : null],
		['State', c.state], ['Created', fmtTime(c.created_at)], ['Started', fmtTime(c.started_at)], ['Stopped', fmtTime(c.stopped_at)]]));
	root.append(section('CIS Docker Benchmark, section 5', checks.length ? checkTable(`CIS results of ${c.name || id}`, checks, { host, image: c.image_digest }) : empty('No CIS results for this container.')));
	const runtime = events.items.filter((e) => !e.type.startsWith('container.'));
	if (runtime.length) root.append(section('Runtime events', eventTable(`Runtime events of ${c.name || id}`, runtime)));
	root.append(section('Lifecycle', events.items.length - runtime.length ? eventTable(`Lifecycle events of ${c.name || id}`, events.items.filter((e) => e.type.startsWith('container.'))) : empty('No lifecycle events.')));
}
