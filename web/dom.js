// dom.js - building the page from data without innerHTML: elements, tables, badges, formats, the live region.

// h('a', {href: '#/x', class: 'c', onclick: fn}, 'text', child, [more]) -> an element; strings are text nodes.
export function h(tag, attrs, ...kids) {
	const svg = tag.startsWith('svg:');
	const el = svg ? document.createElementNS('http://www.w3.org/2000/svg', tag.slice(4)) : document.createElement(tag);
	for (const [k, v] of Object.entries(attrs || {})) {
		if (v === null || v === undefined || v === false) continue;
		if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
		else if (k === 'class') el.setAttribute('class', v);
		else if (k === 'dataset') Object.assign(el.dataset, v);
		else if (k in el && !svg && typeof v !== 'string') el[k] = v;
		else el.setAttribute(k, v === true ? '' : String(v));
	}
	add(el, kids);
	return el;
}

function add(el, kids) {
	for (const k of kids) {
		if (k === null || k === undefined || k === false) continue;
		if (Array.isArray(k)) add(el, k);
		else el.append(k instanceof Node ? k : document.createTextNode(String(k)));
	}
}

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'unknown'];
export function sevRank(s) {
	const i = SEVERITIES.indexOf((s || 'unknown').toLowerCase());
	return i < 0 ? 0 : 4 - i;
}

export function sevBadge(s) {
	const v = (s || 'unknown').toLowerCase();
	return h('span', { class: `badge sev-${SEVERITIES.includes(v) ? v : 'unknown'}` }, v);
}

export function kevBadge() {
	return h('span', { class: 'badge kev', title: 'In CISA Known Exploited Vulnerabilities' }, 'KEV');
}

export function fmtTime(t) {
	if (t === null || t === undefined || t === 0) return '—';
	const d = new Date(t * 1000);
	return d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

export function fmtDay(t) {
	return new Date(t * 1000).toISOString().slice(5, 10);
}

export function shortDigest(d) {
	if (!d) return '—';
	const i = d.indexOf(':');
	return i > 0 ? d.slice(0, i + 1) + d.slice(i + 1, i + 13) : d.slice(0, 19);
}

export function imageName(img) {
	const tags = Array.isArray(img && img.repo_tags) ? img.repo_tags : [];
	return tags.length ? tags[0] : shortDigest(img && img.digest);
}

// "registry.example:5000/team/app:1.2" -> {registry, repository, tag}
export function splitRef(ref) {
	let rest = ref, registry = '', tag = '';
	const slash = rest.indexOf('/');
	if (slash > 0) {
		const first = rest.slice(0, slash);
		if (first.includes('.') || first.includes(':') || first === 'localhost') {
			registry = first;
			rest = rest.slice(slash + 1);
		}
	}
	const at = rest.indexOf('@');
	if (at >= 0) rest = rest.slice(0, at);
	const colon = rest.lastIndexOf(':');
	if (colon > 0) {
		tag = rest.slice(colon + 1);
		rest = rest.slice(0, colon);
	}
	return { registry: registry || 'docker.io', repository: rest, tag };
}

// link(href, text) or link(href, {title, ...attributes}, text)
export function link(href, ...kids) {
	const attrs = kids.length && kids[0] && typeof kids[0] === 'object' && !(kids[0] instanceof Node) && !Array.isArray(kids[0]) ? kids.shift() : {};
	return h('a', { ...attrs, href }, ...kids);
}

// A table: cols [{label, get(row) -> node|string, cls, sort(row) -> comparable}], rows; a caption for screen readers.
export function table(caption, cols, rows, opts = {}) {
	const head = h('tr', {}, cols.map((c) => h('th', { scope: 'col', class: c.cls }, c.label)));
	const body = h('tbody');
	const frag = document.createDocumentFragment();
	for (const r of rows) {
		const tr = h('tr', { class: opts.rowClass ? opts.rowClass(r) : null });
		for (const c of cols) {
			const v = c.get(r);
			tr.append(h('td', { class: c.cls }, v === null || v === undefined || v === '' ? '—' : v));
		}
		frag.append(tr);
	}
	body.append(frag);
	const t = h('table', { class: 'data' }, h('caption', { class: opts.showCaption ? null : 'sr' }, caption), h('thead', {}, head), body);
	return h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': caption }, t);
}

export function empty(text) {
	return h('p', { class: 'empty' }, text);
}

export function section(title, ...kids) {
	return h('section', { class: 'panel' }, h('h2', {}, title), ...kids);
}

export function card(label, value, opts = {}) {
	const inner = [h('span', { class: 'card-value' }, String(value)), h('span', { class: 'card-label' }, label)];
	return h('div', { class: `card ${opts.cls || ''}` }, opts.href ? h('a', { href: opts.href }, inner) : inner);
}

// screen-reader announcements (results counts, actions done)
export function announce(text) {
	const live = document.getElementById('live');
	if (live) {
		live.textContent = '';
		setTimeout(() => { live.textContent = text; }, 20);
	}
}

export function dl(pairs) {
	return h('dl', { class: 'kv' }, pairs.filter((p) => p).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v === null || v === undefined || v === '' ? '—' : v)]));
}

// Tabs (the ARIA tabs pattern: arrow keys move between tabs); tabs [{id, label, render() -> node}].
export function tabs(label, list, current, onSelect) {
	const bar = h('div', { role: 'tablist', 'aria-label': label, class: 'tabs' });
	const panel = h('div', { role: 'tabpanel', class: 'tabpanel', tabindex: '0' });
	const buttons = list.map((t) => h('button', {
		role: 'tab', id: `tab-${t.id}`, type: 'button', 'aria-selected': t.id === current ? 'true' : 'false',
		tabindex: t.id === current ? '0' : '-1', 'aria-controls': 'tabpanel', onclick: () => onSelect(t.id),
	}, t.label));
	bar.addEventListener('keydown', (e) => {
		const i = buttons.indexOf(document.activeElement);
		if (i < 0) return;
		let j = -1;
		if (e.key === 'ArrowRight') j = (i + 1) % buttons.length;
		else if (e.key === 'ArrowLeft') j = (i - 1 + buttons.length) % buttons.length;
		else if (e.key === 'Home') j = 0;
		else if (e.key === 'End') j = buttons.length - 1;
		if (j >= 0) {
			e.preventDefault();
			buttons[j].focus();
			onSelect(list[j].id, true);
		}
	});
	bar.append(...buttons);
	panel.id = 'tabpanel';
	panel.setAttribute('aria-labelledby', `tab-${current}`);
	return { bar, panel };
}

// Navigates to #PATH?PARAMS (a new history entry), or with replace only rewrites the address (filters).
export function go(path, params, replace = false) {
	const q = params ? new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '' && v !== false)).toString() : '';
	const hash = `#${path}${q ? `?${q}` : ''}`;
	if (replace) history.replaceState(null, '', hash);
	else location.hash = hash;
}
