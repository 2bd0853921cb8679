// images.js - the image list (filters: registry, repository, tag, running, text) and one image: findings, layers, packages, checks, SBOM.
import { api, all, session } from './api.js';
import { h, table, empty, sevBadge, fmtTime, link, dl, shortDigest, imageName, splitRef, announce, go, tabs, section } from './dom.js';
import { findingColumns, compareFindings, riskScore, pager } from './findings.js';
import { checkTable } from './hosts.js';

const enc = encodeURIComponent;

export async function imagesPage(root, params) {
	const q = Object.fromEntries(params.entries());
	root.append(h('h1', {}, 'Images'));
	const [images, counts, running] = await Promise.all([
		all('/images'), api('/ui/image-findings'), all('/containers', { running: true }),
	]);
	const byDigest = new Map(counts.items.map((c) => [c.digest, c]));
	const runningSet = new Set(running.map((c) => c.image_digest));
	const rows = images.map((img) => {
		const refs = (Array.isArray(img.repo_tags) ? img.repo_tags : []).map(splitRef);
		return { img, refs, c: byDigest.get(img.digest) || {}, running: runningSet.has(img.digest) };
	});
	const registries = [...new Set(rows.flatMap((r) => (r.img.registry ? [r.img.registry] : r.refs.map((x) => x.registry))))].sort();
	const repositories = [...new Set(rows.flatMap((r) => r.refs.map((x) => x.repository)))].sort();

	const opt = (v, cur) => h('option', { value: v, selected: v === cur }, v);
	const form = h('form', { class: 'filters', 'aria-label': 'Filter images', onsubmit: (e) => {
		e.preventDefault();
		const next = {};
		for (const [k, v] of new FormData(form).entries()) if (v) next[k] = v === 'on' ? 'true' : v;
		go('/images', next);
	} },
	h('div', { class: 'field' }, h('label', { for: 'i-text' }, 'Text'), h('input', { id: 'i-text', name: 'text', type: 'search', value: q.text || '', placeholder: 'name or digest' })),
	h('div', { class: 'field' }, h('label', { for: 'i-reg' }, 'Registry'), h('select', { id: 'i-reg', name: 'registry' }, h('option', { value: '' }, 'any'), registries.map((v) => opt(v, q.registry)))),
	h('div', { class: 'field' }, h('label', { for: 'i-repo' }, 'Repository'), h('select', { id: 'i-repo', name: 'repository' }, h('option', { value: '' }, 'any'), repositories.map((v) => opt(v, q.repository)))),
	h('div', { class: 'field' }, h('label', { for: 'i-tag' }, 'Tag'), h('input', { id: 'i-tag', name: 'tag', value: q.tag || '', placeholder: 'latest' })),
	h('div', { class: 'check' }, h('input', { type: 'checkbox', id: 'i-run', name: 'running', checked: q.running === 'true' }), h('label', { for: 'i-run' }, 'Running only')),
	h('button', { type: 'submit' }, 'Apply'));
	form.addEventListener('change', (e) => { if (e.target.type === 'checkbox' || e.target.tagName === 'SELECT') form.requestSubmit(); });
	root.append(form);

	const text = (q.text || '').toLowerCase();
	const shown = rows.filter((r) => (!q.running || r.running) &&
		(!q.registry || r.img.registry === q.registry || r.refs.some((x) => x.registry === q.registry)) &&
		(!q.repository || r.refs.some((x) => x.repository === q.repository)) &&
		(!q.tag || r.refs.some((x) => x.tag === q.tag)) &&
		(!text || `${r.img.digest} ${(r.img.repo_tags || []).join(' ')}`.toLowerCase().includes(text)))
		.sort((a, b) => (b.c.kev || 0) - (a.c.kev || 0) || (b.c.critical || 0) - (a.c.critical || 0) || (b.c.total || 0) - (a.c.total || 0));
	root.append(h('p', { class: 'status', role: 'status' }, `${shown.length} of ${rows.length} images`));
	root.append(shown.length ? table('Images', [
		{ label: 'Image', get: (r) => link(`#/images/${enc(r.img.digest)}`, imageName(r.img)) },
		{ label: 'Digest', get: (r) => h('code', {}, shortDigest(r.img.digest)) },
		{ label: 'Critical', cls: 'num', get: (r) => String(r.c.critical || 0) },
		{ label: 'High', cls: 'num', get: (r) => String(r.c.high || 0) },
		{ label: 'KEV', cls: 'num', get: (r) => String(r.c.kev || 0) },
		{ label: 'Findings', cls: 'num', get: (r) => String(r.c.total || 0) },
		{ label: 'Packages', cls: 'num', get: (r) => String(r.img.components) },
		{ label: 'Running', get: (r) => (r.running ? h('span', { class: 'badge running' }, 'running') : 'no') },
		{ label: 'Last seen', get: (r) => fmtTime(r.img.last_seen) },
	], shown) : empty('No images match these filters.'));
}

// The layers of an image: its config's history entries that made a layer, in order, with rootfs.diff_ids.
export function layersOf(config) {
	if (!config || !Array.isArray(config.history)) return [];
	const ids = config.rootfs && Array.isArray(config.rootfs.diff_ids) ? config.rootfs.diff_ids : [];
	return config.history.filter((x) => !x.empty_layer).map((x, i) => ({ index: i, created_by: x.created_by || '', created: x.created, diff_id: ids[i] || null }));
}

export async function imagePage(root, params, digest) {
	const q = Object.fromEntries(params.entries());
	const tab = q.tab || 'findings';
	const [img, findings, comps, ctrs] = await Promise.all([
		api(`/images/${enc(digest)}`, { params: { accepted: session.exceptions ? 'true' : undefined } }),
		all('/findings', { image: digest, sort: 'risk' }),
		all(`/images/${enc(digest)}/components`),
		all('/containers', { image: digest }),
	]);
	const layers = layersOf(img.config);
	const compById = new Map();
	for (const c of comps) if (!compById.has(c.id)) compById.set(c.id, c);
	const layerOf = (f) => { const c = compById.get(f.component_id); return c ? c.layer : -1; };
	const name = imageName(img);
	const ref = Array.isArray(img.repo_tags) && img.repo_tags.length ? splitRef(img.repo_tags[0]) : null;
	const ctx = { image: digest, repository: ref ? ref.repository : null, layerOf };
	ctx.layerCell = (f) => {
		const l = layerOf(f);
		const by = layers[l] && layers[l].created_by ? layers[l].created_by : '';
		return l < 0 ? '—' : link(`#/images/${enc(digest)}?tab=layers&layer=${l}`, { title: by }, `Layer ${l}`);
	};

	root.append(h('p', { class: 'crumbs' }, link('#/images', 'Images'), ' / '), h('h1', {}, name));
	const s = img.findings || { by_severity: {} };
	const running = ctrs.filter((c) => c.state === 'running');
	root.append(dl([
		['Digest', h('code', {}, img.digest)],
		['Tags', (img.repo_tags || []).join(', ')],
		['OS', [img.distro, img.distro_version].filter((x) => x).join(' ') || img.os],
		['Findings', h('span', {}, `${s.total || 0} open: `, ['critical', 'high', 'medium', 'low'].map((k) => [sevBadge(k), ` ${s.by_severity[k] || 0} `]), `· ${s.kev || 0} KEV · ${s.fixable || 0} fixable`)],
		['Containers', running.length ? running.map((c) => [link(`#/containers/${enc(c.host)}/${enc(c.container_id)}`, c.name || c.container_id.slice(0, 12)), ' ']) : 'none running'],
		['Last seen', fmtTime(img.last_seen)],
	]));

	const list = [
		{ id: 'findings', label: `Findings (${findings.length})` },
		{ id: 'layers', label: `Layers (${layers.length})` },
		{ id: 'packages', label: `Packages (${compById.size})` },
		{ id: 'checks', label: `Checks (${(img.checks || []).filter((c) => !c.accepted).length})` },
		{ id: 'sbom', label: 'SBOM' },
	];
	const { bar, panel } = tabs('Image details', list, tab, (id, keep) => {
		go(`/images/${enc(digest)}`, { tab: id }, true);
		drawTab(id, {});
		for (const b of bar.querySelectorAll('[role=tab]')) {
			const on = b.id === `tab-${id}`;
			b.setAttribute('aria-selected', String(on));
			b.tabIndex = on ? 0 : -1;
		}
		panel.setAttribute('aria-labelledby', `tab-${id}`);
		if (!keep) bar.querySelector(`#tab-${id}`).focus();
	});
	root.append(bar, panel);

	const drawTab = (id, opts) => {
		if (id === 'findings') {
			let rows = findings.slice().sort(compareFindings);
			if (opts.advisory) rows = rows.filter((f) => f.advisory === opts.advisory);
			const withRisk = rows.some((f) => riskScore(f) !== null);
			let page = 0;
			const out = h('div');
			const draw = () => {
				const pages = Math.max(1, Math.ceil(rows.length / 100));
				out.replaceChildren(rows.length ? table(`Findings in ${name}`, findingColumns(ctx, withRisk), rows.slice(page * 100, page * 100 + 100)) : empty('No open findings in this image.'),
					pager(page, pages, (p) => { page = p; draw(); }));
			};
			draw();
			panel.replaceChildren(opts.advisory ? h('p', {}, `Showing ${opts.advisory} only. `, h('button', { type: 'button', class: 'link-button', onclick: () => drawTab('findings', {}) }, 'Show all')) : '', out);
		} else if (id === 'layers') {
			const perLayer = new Map();
			for (const c of compById.values()) perLayer.set(c.layer, (perLayer.get(c.layer) || 0) + 1);
			const findPer = new Map();
			for (const f of findings) { const l = layerOf(f); findPer.set(l, (findPer.get(l) || 0) + 1); }
			const sel = opts.layer === undefined ? -1 : Number(opts.layer);
			const items = layers.length ? layers : [...perLayer.keys()].sort((a, b) => a - b).map((i) => ({ index: i, created_by: '', diff_id: null }));
			panel.replaceChildren(items.length ? h('ol', { class: 'layers', start: 0 }, items.map((l) => h('li', {
				id: `layer-${l.index}`, class: l.index === sel ? 'layer selected' : 'layer', tabindex: l.index === sel ? '-1' : null, 'aria-current': l.index === sel ? 'true' : null },
			h('div', { class: 'layer-head' }, h('strong', {}, `Layer ${l.index}`), ' ',
				h('span', { class: 'muted' }, `${perLayer.get(l.index) || 0} packages · ${findPer.get(l.index) || 0} findings`)),
			h('code', { class: 'created-by' }, l.created_by || '(no history line)'),
			l.diff_id ? h('div', { class: 'muted small' }, h('code', {}, l.diff_id)) : null,
			findPer.get(l.index) ? h('details', { open: l.index === sel }, h('summary', {}, 'Findings in this layer'),
				h('ul', { class: 'plain' }, findings.filter((f) => layerOf(f) === l.index).sort(compareFindings).slice(0, 50)
					.map((f) => h('li', {}, sevBadge(f.severity), ' ', f.advisory, ' — ', f.package, ' ', f.version || '')))) : null))) : empty('The image has no layer information (it was uploaded without layers).'));
			const target = sel >= 0 && panel.querySelector(`#layer-${sel}`);
			if (target) setTimeout(() => { target.scrollIntoView({ block: 'center' }); target.focus(); announce(`Layer ${sel}: ${layers[sel] ? layers[sel].created_by : ''}`); }, 0);
		} else if (id === 'packages') {
			const text = h('input', { id: 'p-text', type: 'search', placeholder: 'name' });
			const out = h('div');
			const pkgs = [...comps].sort((a, b) => a.name.localeCompare(b.name));
			let page = 0;
			const draw = () => {
				const t = text.value.toLowerCase();
				const rows = t ? pkgs.filter((c) => `${c.name} ${c.purl}`.toLowerCase().includes(t)) : pkgs;
				const pages = Math.max(1, Math.ceil(rows.length / 100));
				if (page >= pages) page = 0;
				out.replaceChildren(h('p', { class: 'status', role: 'status' }, `${rows.length} packages`), table(`Packages in ${name}`, [
					{ label: 'Name', get: (c) => c.name },
					{ label: 'Version', get: (c) => c.version },
					{ label: 'Ecosystem', get: (c) => c.ecosystem },
					{ label: 'License', get: (c) => c.license },
					{ label: 'Path', get: (c) => (c.path ? h('code', {}, c.path) : '') },
					{ label: 'Layer', get: (c) => (c.layer >= 0 ? link(`#/images/${enc(digest)}?tab=layers&layer=${c.layer}`, `Layer ${c.layer}`) : '—') },
				], rows.slice(page * 100, page * 100 + 100)), pager(page, pages, (p) => { page = p; draw(); }));
			};
			text.addEventListener('input', () => { page = 0; draw(); });
			panel.replaceChildren(h('div', { class: 'filters' }, h('div', { class: 'field' }, h('label', { for: 'p-text' }, 'Filter packages'), text)), out);
			draw();
		} else if (id === 'checks') {
			const checks = img.checks || [];
			panel.replaceChildren(...(checks.length ? checkTable(`Checks of ${name}`, checks, ctx, { detail: true }) : [empty('No failed checks stored for this image.')]));
		} else {
			const dlBtn = (fmt, label) => h('button', { type: 'button', onclick: async () => {
				const res = await api(`/images/${enc(digest)}/sbom`, { params: { format: fmt }, raw: true });
				const blob = await res.blob();
				const a = h('a', { href: URL.createObjectURL(blob), download: `${name.replace(/[^A-Za-z0-9._-]+/g, '_')}.${fmt}.json` });
				document.body.append(a);
				a.click();
				setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
				announce(`${label} downloaded`);
			} }, label);
			panel.replaceChildren(section('Download the SBOM', h('p', {}, `Written from the ${img.components} stored components.`),
				h('div', { class: 'actions' }, dlBtn('cyclonedx', 'CycloneDX 1.6 JSON'), dlBtn('spdx', 'SPDX 2.3 JSON'))));
		}
	};
	drawTab(tab, { advisory: q.advisory, layer: q.layer });
}
