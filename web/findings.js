// findings.js - the findings list (filters, the server's risk order, paged by the server's cursors), a finding's detail and the accept-risk dialog.
import { api, session } from './api.js';
import { h, table, empty, sevBadge, kevBadge, sevRank, fmtTime, link, dl, shortDigest, announce, go, SEVERITIES } from './dom.js';

const PAGE = 100;

export function riskScore(f) {
	return f && f.risk && typeof f.risk.score === 'number' ? f.risk.score : null;
}

// risk when the server gives it, else severity, KEV, then a fix being available
export function compareFindings(a, b) {
	const ra = riskScore(a), rb = riskScore(b);
	if (ra !== null || rb !== null) return (rb ?? -1) - (ra ?? -1);
	return sevRank(b.severity) - sevRank(a.severity) || (b.kev ? 1 : 0) - (a.kev ? 1 : 0) ||
		(b.fixed_version ? 1 : 0) - (a.fixed_version ? 1 : 0) || (a.advisory < b.advisory ? -1 : a.advisory > b.advisory ? 1 : 0);
}

function advisoryButton(f, ctx) {
	return h('button', { type: 'button', class: 'link-button adv', onclick: () => showFinding(f, ctx), 'aria-haspopup': 'dialog' }, f.advisory);
}

// columns of a compact finding table (overview, search): the advisory opens the detail
export function findingRowsLink(ctx = {}) {
	return [
		{ label: 'Advisory', get: (f) => advisoryButton(f, ctx) },
		{ label: 'Severity', get: (f) => sevBadge(f.severity) },
		{ label: 'KEV', get: (f) => (f.kev ? kevBadge() : '') },
		{ label: 'Package', get: (f) => f.package },
		{ label: 'Version', get: (f) => f.version },
		{ label: 'Fixed in', get: (f) => f.fixed_version },
	];
}

export function findingColumns(ctx = {}, withRisk = false) {
	const cols = [
		{ label: 'Advisory', get: (f) => advisoryButton(f, ctx) },
		withRisk ? { label: 'Risk', cls: 'num', get: (f) => (riskScore(f) === null ? '' : riskScore(f).toFixed(1)) } : null,
		{ label: 'Severity', get: (f) => sevBadge(f.severity) },
		{ label: 'KEV', get: (f) => (f.kev ? kevBadge() : '') },
		{ label: 'Package', get: (f) => f.package },
		{ label: 'Version', get: (f) => f.version },
		{ label: 'Fixed in', get: (f) => f.fixed_version },
		{ label: 'Ecosystem', get: (f) => f.ecosystem },
		ctx.layerOf ? { label: 'Layer', get: (f) => ctx.layerCell(f) } : { label: 'First seen', get: (f) => fmtTime(f.first_seen) },
		session.exceptions ? { label: 'Accepted', get: (f) => (f.accepted ? h('span', { class: 'badge accepted' }, `until ${fmtTime(f.accepted.expires)}`) : '') } : null,
	];
	return cols.filter((c) => c);
}

// The text box names an advisory (an id with a digit: CVE-…, GHSA-…, GO-…) or a package, exactly.
export function textFilter(text) {
	const t = (text || '').trim();
	if (!t) return {};
	return /^[A-Za-z]+-[0-9A-Za-z.:_-]+$/.test(t) && /\d/.test(t) ? { advisory: t } : { package: t };
}

// One page of PAGE findings from the server, which filters and orders them (by its stored risk
// score, on an index): the page costs the same with a hundred findings or ten million. Previous and
// Next follow the server's cursors (kept in the address, so Back works).
export async function findingsPage(root, params) {
	const q = Object.fromEntries(params.entries());
	root.append(h('h1', {}, 'Findings'));
	const form = filterForm(q);
	root.append(form);
	const status = h('p', { class: 'status', role: 'status' }, 'Loading findings…');
	const out = h('div', { class: 'results' });
	root.append(status, out);
	const server = { severity: q.severity, kev: q.kev === 'true' ? true : undefined, fix: q.fix === 'true' ? true : undefined,
		running: q.running === 'true' ? true : undefined, ecosystem: q.ecosystem, package: q.package, advisory: q.advisory,
		image: q.image, accepted: q.accepted === 'true' && session.exceptions ? true : undefined, sort: 'risk',
		limit: PAGE, after: q.after || undefined, ...textFilter(q.text) };
	const trail = (q.trail || '').split(',').filter((c) => /^\d+$/.test(c));
	const page = await api('/findings', { params: server });
	let rows = page.items || [];
	if (q.exact && q.severity) rows = rows.filter((f) => (f.severity || 'unknown').toLowerCase() === q.severity);
	const withRisk = rows.some((f) => riskScore(f) !== null);
	if (!withRisk) rows = rows.slice().sort(compareFindings); // a server without scores: severity within the page
	const first = trail.length * PAGE + 1;
	const order = `sorted by ${withRisk ? 'risk' : 'severity'}`;
	status.textContent = !trail.length && !page.next
		? `${rows.length} finding${rows.length === 1 ? '' : 's'}, ${order}`
		: `Findings ${first}–${first + rows.length - 1}${page.next ? ' (more on the next page)' : ''}, ${order}`;
	const nav = trail.length || page.next ? h('nav', { class: 'pager', 'aria-label': 'Pages' },
		h('button', { type: 'button', disabled: !trail.length, onclick: () => {
			const t = trail.slice(0, -1), prev = trail[trail.length - 1];
			go('/findings', { ...q, after: prev && prev !== '0' ? prev : undefined, trail: t.length ? t.join(',') : undefined });
		} }, 'Previous'),
		h('span', {}, `Page ${trail.length + 1}`),
		h('button', { type: 'button', disabled: !page.next, onclick: () =>
			go('/findings', { ...q, after: String(page.next), trail: [...trail, q.after || '0'].join(',') }) }, 'Next')) : '';
	out.replaceChildren(rows.length ? table('Findings', findingColumns({}, withRisk), rows) : empty('No findings match these filters.'), nav);
	const t = out.querySelector('table');
	if (t) t.dataset.rows = String(rows.length);
	root.dataset.ready = 'findings';
}

function filterForm(q) {
	const sel = h('select', { id: 'f-sev', name: 'severity' }, h('option', { value: '' }, 'any'),
		SEVERITIES.slice(0, 4).map((s) => h('option', { value: s, selected: q.severity === s }, `${s} and above`)));
	const box = (id, name, label) => h('div', { class: 'check' }, h('input', { type: 'checkbox', id, name, checked: q[name] === 'true' }), h('label', { for: id }, label));
	const form = h('form', { class: 'filters', 'aria-label': 'Filter findings', onsubmit: (e) => {
		e.preventDefault();
		const fd = new FormData(form);
		const next = {};
		for (const [k, v] of fd.entries()) if (v) next[k] = v === 'on' ? 'true' : v;
		if (q.image) next.image = q.image; // (and no cursor: a new filter starts at its first page)
		go('/findings', next);
	} },
	h('div', { class: 'field' }, h('label', { for: 'f-text' }, 'Text'), h('input', { id: 'f-text', name: 'text', type: 'search', value: q.text || '', placeholder: 'advisory id or package name' })),
	h('div', { class: 'field' }, h('label', { for: 'f-sev' }, 'Severity'), sel),
	h('div', { class: 'field' }, h('label', { for: 'f-eco' }, 'Ecosystem'), h('input', { id: 'f-eco', name: 'ecosystem', value: q.ecosystem || '', placeholder: 'deb, pypi, golang…' })),
	box('f-kev', 'kev', 'Known exploited (KEV) only'),
	box('f-fix', 'fix', 'Fix available'),
	box('f-run', 'running', 'In running containers'),
	session.exceptions ? box('f-acc', 'accepted', 'Include accepted') : null,
	h('button', { type: 'submit' }, 'Apply'));
	// a checkbox applies at once (keyboard: space toggles, the form is submitted)
	form.addEventListener('change', (e) => { if (e.target.type === 'checkbox' || e.target.tagName === 'SELECT') form.requestSubmit(); });
	return form;
}

export function pager(page, pages, onPage) {
	if (pages <= 1) return ''; // (replaceChildren writes null as text)
	return h('nav', { class: 'pager', 'aria-label': 'Pages' },
		h('button', { type: 'button', disabled: page === 0, onclick: () => onPage(page - 1) }, 'Previous'),
		h('span', {}, `Page ${page + 1} of ${pages}`),
		h('button', { type: 'button', disabled: page >= pages - 1, onclick: () => onPage(page + 1) }, 'Next'));
}

// ---- the detail of one finding, in a modal dialog

const dialog = () => document.getElementById('dialog');

export function openDialog(title, ...body) {
	const d = dialog();
	const opener = document.activeElement;
	d.replaceChildren(h('div', { class: 'dialog-head' }, h('h2', { id: 'dialog-title' }, title),
		h('button', { type: 'button', class: 'close', 'aria-label': 'Close', onclick: () => d.close() }, '×')), ...body.filter((x) => x));
	d.addEventListener('close', () => { if (opener && opener.isConnected) opener.focus(); }, { once: true });
	if (!d.open) d.showModal();
	return d;
}

export async function showFinding(f, ctx = {}) {
	const terms = f.risk && Array.isArray(f.risk.terms) ? f.risk.terms : null;
	const affected = h('div', {}, h('p', { class: 'status' }, 'Loading the images it reaches…'));
	const aliases = h('span', {}, '…');
	const body = [
		dl([
			['Also known as', aliases],
			['Package', `${f.package} ${f.version || ''}`],
			['Ecosystem', f.ecosystem],
			['purl', h('code', {}, f.purl)],
			['Severity', sevBadge(f.severity)],
			['Known exploited', f.kev ? kevBadge() : 'no'],
			['Fixed in', f.fixed_version || 'no fix known'],
			riskScore(f) !== null ? ['Risk score', riskScore(f).toFixed(1)] : null,
			['First seen', fmtTime(f.first_seen)],
			['State', f.state],
			f.accepted ? ['Accepted', `${f.accepted.reason || ''} (until ${fmtTime(f.accepted.expires)})`] : null,
			ctx.layerCell ? ['Layer', ctx.layerCell(f)] : null,
		]),
		terms ? h('h3', {}, 'Risk terms') : null,
		terms ? table('Risk terms', [
			{ label: 'Term', get: (t) => t.name },
			{ label: 'Value', get: (t) => String(t.value) },
			{ label: 'Weight', cls: 'num', get: (t) => String(t.weight) },
			{ label: 'Source', get: (t) => t.source },
			{ label: 'Date', get: (t) => (typeof t.date === 'number' ? fmtTime(t.date) : t.date) },
		], terms) : null,
		h('h3', {}, 'Images with this finding'), affected,
	];
	const canAccept = session.exceptions && session.role !== 'viewer' && !f.accepted;
	if (canAccept)
		body.push(h('div', { class: 'actions' }, h('button', { type: 'button', class: 'accept', onclick: () => acceptDialog(f, ctx) }, 'Accept risk…')));
	openDialog(`${f.advisory} in ${f.package}`, ...body);
	api('/ui/aliases', { params: { id: f.advisory } }).then((r) => { aliases.textContent = r.related.length ? r.related.join(', ') : '—'; },
		() => { aliases.textContent = '—'; });
	try {
		const a = await api(`/advisories/${encodeURIComponent(f.advisory)}/affected`);
		const rows = (a.rows || []).filter((r) => r.purl === f.purl);
		const seen = new Map();
		for (const r of rows) if (!seen.has(r.image_digest)) seen.set(r.image_digest, r);
		const imgs = (a.images || []).filter((i) => seen.has(i.digest));
		affected.replaceChildren(imgs.length ? h('ul', { class: 'plain' }, imgs.map((i) => h('li', {},
			link(`#/images/${encodeURIComponent(i.digest)}?tab=findings&advisory=${encodeURIComponent(f.advisory)}`,
				Array.isArray(i.repo_tags) && i.repo_tags.length ? i.repo_tags[0] : shortDigest(i.digest)),
			rows.some((r) => r.image_digest === i.digest && r.container_id) ? h('span', { class: 'badge running' }, 'running') : null))) : empty('No stored image has it now.'));
	} catch (e) {
		affected.replaceChildren(h('p', { class: 'error' }, e.message));
	}
}

// The accept-risk dialog: scope, reason, expiry; POST /api/v1/exceptions. f is a finding
// ({advisory, package}) or a check result ({rule_id, target}); ctx the scopes this page knows
// (image digest, repository, host).
export function acceptDialog(f, ctx = {}) {
	const exp = new Date(Date.now() + 30 * 86400e3);
	const local = (d) => new Date(d.getTime() - d.getTimezoneOffset() * 60e3).toISOString().slice(0, 19);
	const rule = !f.advisory && f.rule_id;
	const what = rule ? f.rule_id : f.advisory;
	const scope = h('select', { id: 'acc-scope', name: 'scope' },
		ctx.image ? h('option', { value: 'image' }, 'this image') : null,
		ctx.repository ? h('option', { value: 'repository' }, `repository ${ctx.repository}`) : null,
		rule && ctx.host ? h('option', { value: 'host' }, `host ${ctx.host}`) : null,
		h('option', { value: 'everywhere' }, 'everywhere'));
	const only = rule && f.target ? h('input', { type: 'checkbox', id: 'acc-target', name: 'target' }) : null;
	const reason = h('textarea', { id: 'acc-reason', name: 'reason', required: true, rows: 3 });
	const expires = h('input', { id: 'acc-expires', name: 'expires', type: 'datetime-local', step: 1, required: true, value: local(exp) });
	const err = h('p', { class: 'error', role: 'alert' });
	const form = h('form', { class: 'accept-form', onsubmit: async (e) => {
		e.preventDefault();
		const when = Math.floor(new Date(expires.value).getTime() / 1000);
		if (!(when > Date.now() / 1000)) {
			err.textContent = 'The expiry must be in the future.';
			return;
		}
		const kind = scope.value;
		const value = kind === 'image' ? ctx.image : kind === 'repository' ? ctx.repository : kind === 'host' ? ctx.host : undefined;
		const body = rule
			? { rule: f.rule_id, target: only && only.checked ? f.target : undefined, scope: { kind, value }, reason: reason.value.trim(), expires: when }
			: { advisory: f.advisory, scope: { kind, value }, reason: reason.value.trim(), expires: when };
		try {
			await api('/exceptions', { method: 'POST', body });
			dialog().close();
			announce(`${what} accepted until ${fmtTime(when)}`);
			window.dispatchEvent(new HashChangeEvent('hashchange'));
		} catch (x) {
			err.textContent = x.message;
		}
	} },
	h('p', {}, rule ? `Accepting hides the failed results of rule ${what} from the check lists until the expiry; they come back then.`
		: `Accepting hides ${f.advisory} (${f.package}) from the findings until the expiry; it comes back then.`),
	h('div', { class: 'field' }, h('label', { for: 'acc-scope' }, 'Scope'), scope),
	only ? h('div', { class: 'check' }, only, h('label', { for: 'acc-target' }, `Only for target ${f.target}`)) : null,
	h('div', { class: 'field' }, h('label', { for: 'acc-reason' }, 'Reason'), reason),
	h('div', { class: 'field' }, h('label', { for: 'acc-expires' }, 'Expires'), expires),
	err,
	h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Accept risk'),
		h('button', { type: 'button', class: 'secondary', onclick: () => dialog().close() }, 'Cancel')));
	openDialog(`Accept the risk of ${what}`, form);
	reason.focus();
}
