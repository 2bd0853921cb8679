// admin.js - registries, the event log, accepted risks, tokens (admin) and search by CVE, package or image.
import { api, all, session } from './api.js';
import { h, table, empty, fmtTime, link, section, shortDigest, imageName, announce, go } from './dom.js';
import { findingRowsLink } from './findings.js';
import { eventDetail } from './hosts.js';

const enc = encodeURIComponent;

export async function registriesPage(root) {
	const regs = await api('/registries');
	root.append(h('h1', {}, 'Registries'));
	root.append(regs.items.length ? table('Watched registries', [
		{ label: 'URL', get: (r) => r.url },
		{ label: 'Repositories', get: (r) => (Array.isArray(r.repositories) ? r.repositories.join(', ') : 'whole catalog') },
		{ label: 'User', get: (r) => r.username },
		{ label: 'Credentials', get: (r) => (r.has_secret ? r.secret_kind : 'none') },
		{ label: 'TLS verified', get: (r) => (r.tls_verify ? 'yes' : 'no') },
		{ label: 'Every', get: (r) => `${Math.round(r.interval_s / 60)} min` },
		{ label: 'Last polled', get: (r) => fmtTime(r.last_polled) },
	], regs.items) : empty('No registry is watched (POST /api/v1/registries as an admin).'));
}

export async function eventsPage(root, params) {
	const type = params.get('type') || '';
	const before = params.get('before') || '';
	const page = await api('/ui/events', { params: { type, before, limit: 100 } });
	root.append(h('h1', {}, 'Events'));
	const input = h('input', { id: 'e-type', name: 'type', value: type, placeholder: 'finding.new, container.start…' });
	root.append(h('form', { class: 'filters', 'aria-label': 'Filter events', onsubmit: (e) => { e.preventDefault(); go('/events', { type: input.value.trim() }); } },
		h('div', { class: 'field' }, h('label', { for: 'e-type' }, 'Type'), input), h('button', { type: 'submit' }, 'Apply')));
	root.append(page.items.length ? table('Events, newest first', [
		{ label: 'Seq', cls: 'num', get: (e) => String(e.seq) },
		{ label: 'Time', get: (e) => fmtTime(e.time) },
		{ label: 'Type', get: (e) => h('code', {}, e.type) },
		{ label: 'Host', get: (e) => (e.host ? link(`#/hosts/${enc(e.host)}`, e.host) : '') },
		{ label: 'Container', get: (e) => (e.container && e.host ? link(`#/containers/${enc(e.host)}/${enc(e.container)}`, e.container.slice(0, 12)) : '') },
		{ label: 'Detail', get: (e) => eventDetail(e.payload) },
	], page.items) : empty('No events.'));
	if (page.next) root.append(h('nav', { class: 'pager', 'aria-label': 'Pages' }, link(`#/events?${new URLSearchParams({ type, before: page.next })}`, 'Older events')));
}

export async function acceptedPage(root) {
	root.append(h('h1', {}, 'Accepted risks'));
	if (!session.exceptions) {
		root.append(empty('This server does not keep accepted risks (no /api/v1/exceptions).'));
		return;
	}
	const list = await api('/exceptions');
	const items = Array.isArray(list) ? list : list.items || [];
	const now = Date.now() / 1000;
	root.append(items.length ? table('Accepted risks', [
		{ label: 'Advisory or rule', get: (x) => (x.rule ? [h('code', {}, x.rule), x.target ? ` on ${x.target}` : ''] : link(`#/findings?advisory=${enc(x.advisory)}&accepted=true`, x.advisory)) },
		{ label: 'Scope', get: (x) => (x.scope ? `${x.scope.kind}${x.scope.value ? `: ${x.scope.value.length > 40 ? shortDigest(x.scope.value) : x.scope.value}` : ''}` : '') },
		{ label: 'Reason', get: (x) => x.reason },
		{ label: 'Expires', get: (x) => [fmtTime(x.expires), x.expires && x.expires < now ? h('span', { class: 'badge' }, 'expired') : ''] },
		{ label: 'By', get: (x) => x.who || x.created_by || '' },
		{ label: 'Action', get: (x) => (session.role === 'viewer' ? '' : h('button', { type: 'button', class: 'secondary', onclick: async () => {
			await api(`/exceptions/${enc(x.id)}`, { method: 'DELETE' });
			announce(`Acceptance of ${x.advisory || x.rule} removed`);
			window.dispatchEvent(new HashChangeEvent('hashchange'));
		} }, `Remove ${x.advisory || x.rule}`)) },
	], items) : empty('No accepted risks.'));
}

export async function tokensPage(root) {
	root.append(h('h1', {}, 'Tokens'));
	if (session.role !== 'admin') {
		root.append(empty('Only an admin token can list tokens.'));
		return;
	}
	const tokens = await all('/tokens');
	root.append(h('p', {}, 'Create tokens with ', h('code', {}, 'bulkhead token create --role viewer|operator|admin|agent'), '; the secret is shown once there.'));
	root.append(table('Tokens', [
		{ label: 'Id', cls: 'num', get: (t) => String(t.id) },
		{ label: 'Name', get: (t) => t.name },
		{ label: 'Role', get: (t) => t.role },
		{ label: 'Host', get: (t) => t.host },
		{ label: 'Created', get: (t) => fmtTime(t.created) },
		{ label: 'Expires', get: (t) => (t.expires ? fmtTime(t.expires) : 'never') },
		{ label: 'Last used', get: (t) => fmtTime(t.last_used) },
		{ label: 'State', get: (t) => (t.revoked ? 'revoked' : t.expires && t.expires < Date.now() / 1000 ? 'expired' : 'active') },
		{ label: 'Action', get: (t) => (t.revoked ? '' : h('button', { type: 'button', class: 'secondary', onclick: async () => {
			if (!window.confirm(`Revoke token ${t.id} (${t.name || t.role})?`)) return;
			await api(`/tokens/${t.id}`, { method: 'DELETE' });
			announce(`Token ${t.id} revoked`);
			window.dispatchEvent(new HashChangeEvent('hashchange'));
		} }, `Revoke ${t.id}`)) },
	], tokens));
}

const ADVISORY = /^(CVE|GHSA|PYSEC|GO|RUSTSEC|DSA|DLA|OSV|ALPINE|USN|RHSA|BIT)-/i;

export async function searchPage(root, params) {
	const q = (params.get('q') || '').trim();
	root.append(h('h1', {}, `Search: ${q}`));
	document.getElementById('q').value = q;
	if (!q) return;
	const isAdv = ADVISORY.test(q);
	const id = /^cve-/i.test(q) ? q.toUpperCase() : q;
	// a CVE is usually an alias: the findings carry the advisory's own id (PYSEC-…, GHSA-…, GO-…)
	const related = isAdv ? (await api('/ui/aliases', { params: { id } })).related : [];
	const ids = isAdv ? [id, ...related.filter((r) => r !== id)].slice(0, 20) : [];
	const [byAdv, byPkg, images, affected] = await Promise.all([
		Promise.all(ids.map((a) => all('/findings', { advisory: a }, { max: 5000 }))).then((l) => l.flat()),
		all('/findings', { package: q }, { max: 1000 }),
		all('/images'),
		isAdv ? Promise.all(ids.map((a) => api(`/advisories/${enc(a)}/affected`))) : Promise.resolve([]),
	]);
	const lq = q.toLowerCase();
	const imgs = images.filter((i) => i.digest.includes(lq) || (i.repo_tags || []).some((t) => t.toLowerCase().includes(lq)));
	const cols = findingRowsLink();
	if (isAdv) {
		const reach = new Map();
		for (const a of affected) for (const i of a.images) reach.set(i.digest, i);
		root.append(section(`Advisory ${id}`, related.length ? h('p', {}, `Also known as: ${related.join(', ')}`) : null,
			byAdv.length ? table(`Findings of ${id}`, cols, byAdv) : empty(`No open finding of ${id}.`),
			reach.size ? h('p', {}, `In ${reach.size} image(s): `, [...reach.values()].map((i) => [link(`#/images/${enc(i.digest)}?tab=findings`, imageName(i)), ' '])) : null));
	}
	root.append(section(`Package ${q}`, byPkg.length ? table(`Findings in package ${q}`, cols, byPkg) : empty(`No finding in a package named ${q}.`)));
	root.append(section('Images', imgs.length ? table(`Images matching ${q}`, [
		{ label: 'Image', get: (i) => link(`#/images/${enc(i.digest)}`, imageName(i)) },
		{ label: 'Digest', get: (i) => h('code', {}, shortDigest(i.digest)) },
		{ label: 'Packages', cls: 'num', get: (i) => String(i.components) },
	], imgs) : empty(`No image name or digest contains ${q}.`)));
	announce(`${byAdv.length + byPkg.length} findings and ${imgs.length} images for ${q}`);
}
