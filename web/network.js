// network.js - the network map (GET /api/v1/network) as an SVG graph grouped by image, label or container, each edge judged against the baselines, and every edge in a table.
import { api } from './api.js';
import { h, table, empty, fmtTime, go, section } from './dom.js';
import { repoOf, peerMatch, protoMatch, describeEntry, modeBadge, isPrivate } from './baselines.js';

const enc = encodeURIComponent;
const MAX_DOCS = 200; // baselines fetched for one map (one request each)

function nodeName(n) {
	if (n.name) return n.name;
	if (Array.isArray(n.addresses) && n.addresses.length) return n.addresses[0];
	return n.id.replace(/^[a-z]+:/, '');
}

// How node n looks as the peer of an edge, seen from the other end (runtime/blmon.c's peer_of).
function peerOf(n) {
	const addrs = Array.isArray(n.addresses) ? n.addresses.filter((a) => typeof a === 'string') : [];
	if (n.kind === 'host') return { name: 'host', addrs };
	if (n.kind === 'container') {
		const r = repoOf(n.image);
		return { name: r ? `image:${r}` : '', addrs };
	}
	return { name: '', addrs: addrs.length ? addrs : [n.id.replace(/^external:/, '')] };
}

function judgeSide(doc, sec, peer, e) {
	const list = Array.isArray(doc[sec]) ? doc[sec] : [];
	const hit = list.find((x) => peerMatch(x.peer, peer) && protoMatch(x.proto, e.proto) && (!x.port || x.port === e.port));
	return { repo: doc.repository, sec, ok: !!hit, entry: hit || null };
}

// An edge's status: expected / unexpected / no baseline (each end's baseline, as its monitor would
// judge the connection), exposed (to the outside, or from the outside or the host into a container), blocked.
export function judge(e, from, to, docs) {
	const checks = [];
	const fd = from.kind === 'container' ? docs.get(repoOf(from.image)) : null;
	const td = to.kind === 'container' ? docs.get(repoOf(to.image)) : null;
	if (fd) checks.push(judgeSide(fd, 'outbound', peerOf(to), e));
	if (td) checks.push(judgeSide(td, 'inbound', peerOf(from), e));
	const verdict = !checks.length ? 'no baseline' : checks.every((c) => c.ok) ? 'expected' : 'unexpected';
	const exposed = to.kind === 'external' || ((from.kind === 'external' || from.kind === 'host') && to.kind === 'container');
	return { verdict, exposed, blocked: (e.blocked || 0) > 0, checks };
}

const tagsOf = (j) => [j.verdict, j.exposed ? 'exposed' : null, j.blocked ? 'blocked' : null].filter((x) => x);
const cls = (t) => `st-${t.replace(/ /g, '-')}`;

function statusBadges(j) {
	return tagsOf(j).map((t) => [h('span', { class: `badge ${cls(t)}` }, t), ' ']);
}

function reasons(j) {
	return j.checks.map((c) => h('span', { class: 'why' }, c.ok ? `${c.sec} of ${c.repo}: ${describeEntry(c.sec, c.entry)}` : `not in the ${c.sec} of ${c.repo}`));
}

function fmtBytes(n) {
	if (!n) return '0 B';
	const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
	let i = 0, v = n;
	while (v >= 1024 && i < u.length - 1) { v /= 1024; i++; }
	return `${i ? v.toFixed(1) : v} ${u[i]}`;
}

// ---- grouping: containers by image repository, by one label's value, or each alone; hosts and outside peers alone

function groupOf(n, mode, key) {
	// ids by kind and mode, so that no two kinds of group share one
	if (n.kind !== 'container') return { id: `n:${n.id}`, kind: n.kind === 'host' ? 'host' : 'external', label: nodeName(n) };
	if (mode === 'container') return { id: `c:${n.id}`, kind: 'container', label: nodeName(n), repo: repoOf(n.image) };
	if (mode === 'label') {
		const v = n.labels && typeof n.labels === 'object' && typeof n.labels[key] === 'string' ? n.labels[key] : null;
		return { id: v === null ? 'l0:' : `l1:${v}`, kind: 'container', label: v === null ? `no ${key}` : `${key}=${v}` };
	}
	const r = repoOf(n.image);
	return { id: `i:${r || n.image_digest || n.id}`, kind: 'container', label: r || nodeName(n), repo: r };
}

function build(net, docs, mode, key) {
	const byId = new Map();
	for (const n of net.nodes || []) if (n && typeof n.id === 'string') byId.set(n.id, n);
	const nodeOf = (id) => {
		if (!byId.has(id)) { // an edge to a node no snapshot described: its kind from the id's prefix
			const k = /^(container|host|external):/.exec(id);
			byId.set(id, { id, kind: k ? k[1] : 'external' });
		}
		return byId.get(id);
	};
	const edges = (net.edges || []).map((e) => {
		const from = nodeOf(e.from), to = nodeOf(e.to);
		return { e, from, to, j: judge(e, from, to, docs) };
	});
	const groups = new Map();
	const gOf = new Map();
	for (const n of byId.values()) {
		const g = groupOf(n, mode, key);
		if (!groups.has(g.id)) groups.set(g.id, { ...g, members: [] });
		groups.get(g.id).members.push(n);
		gOf.set(n.id, g.id);
	}
	// drawn edges: one per (group, group, port, protocol), counters summed, the worst status kept
	const drawn = new Map();
	for (const x of edges) {
		const k = [gOf.get(x.from.id), gOf.get(x.to.id), x.e.proto, x.e.port].join('\u0001');
		if (!drawn.has(k)) drawn.set(k, { from: gOf.get(x.from.id), to: gOf.get(x.to.id), proto: x.e.proto, port: x.e.port, connections: 0, bytes: 0, blocked: 0, members: [], j: { verdict: 'no baseline', exposed: false, blocked: false, checks: [] } });
		const d = drawn.get(k);
		d.connections += x.e.connections || 0;
		d.bytes += x.e.bytes || 0;
		d.blocked += x.e.blocked || 0;
		d.members.push(x);
		const v = x.j.verdict;
		if (v === 'unexpected' || (v === 'expected' && d.j.verdict === 'no baseline')) d.j.verdict = v;
		d.j.exposed = d.j.exposed || x.j.exposed;
		d.j.blocked = d.j.blocked || x.j.blocked;
	}
	return { byId, edges, groups, drawn: [...drawn.values()] };
}

// ---- layout: hosts and outside peers that only connect in on the left; then columns by the edges'
// longest path (a destination sits one column after the last group connecting to it)

function layers(groups, drawn) {
	const G = [...groups.values()];
	const out = new Map(G.map((g) => [g.id, 0])), inn = new Map(G.map((g) => [g.id, 0]));
	for (const d of drawn) if (d.from !== d.to) { out.set(d.from, out.get(d.from) + 1); inn.set(d.to, inn.get(d.to) + 1); }
	const rank = { container: 0, host: 1, external: 2 };
	const order = (a, b) => (rank[a.kind] - rank[b.kind]) || a.label.localeCompare(b.label) || a.id.localeCompare(b.id);
	const left = G.filter((g) => g.kind !== 'container' && out.get(g.id) && !inn.get(g.id)).sort(order);
	const rest = G.filter((g) => !left.includes(g)).sort(order);
	// longest path, bounded: a cycle stops at the number of groups
	const layer = new Map(rest.map((g) => [g.id, 0]));
	for (let it = 0; it < rest.length; it++) {
		let changed = false;
		for (const d of drawn) {
			if (d.from === d.to || !layer.has(d.from) || !layer.has(d.to)) continue;
			const want = layer.get(d.from) + 1;
			if (layer.get(d.to) < want && want < rest.length) { layer.set(d.to, want); changed = true; }
		}
		if (!changed) break;
	}
	const used = [...new Set(layer.values())].sort((a, b) => a - b);
	const cols = [left, ...used.map((l) => rest.filter((g) => layer.get(g.id) === l))].filter((c) => c.length);
	// one barycenter sweep: a group sits near the groups it talks to in the columns before it
	const pos = new Map();
	cols.forEach((c, ci) => {
		if (ci > 0) {
			const bary = (g) => {
				const ps = drawn.filter((d) => d.to === g.id && pos.has(d.from)).map((d) => pos.get(d.from));
				return ps.length ? ps.reduce((x, y) => x + y, 0) / ps.length : Infinity;
			};
			const bc = new Map(c.map((g) => [g.id, bary(g)]));
			c.sort((x, y) => (bc.get(x.id) - bc.get(y.id)) || order(x, y));
		}
		c.forEach((g, i) => pos.set(g.id, i / Math.max(1, c.length - 1)));
	});
	return cols;
}

// Boxes for every group: columns left to right when wide, rows top to bottom (wrapped) when narrow.
function place(cols, width) {
	const M = 16;
	const boxes = new Map();
	if (width >= 720) {
		// the columns spread over the width there is (the edges' labels need 100 px between them)
		const W = 180, H = 56, ROW = H + 34;
		const gap = cols.length > 1 ? Math.max(100, Math.min(200, Math.floor((width - 2 * M - 60 - cols.length * W) / (cols.length - 1)))) : 0;
		const COL = W + gap;
		const tallest = Math.max(...cols.map((c) => c.length));
		cols.forEach((c, ci) => {
			const top = M + ((tallest - c.length) * ROW) / 2;
			c.forEach((g, i) => boxes.set(g.id, { x: M + ci * COL, y: top + i * ROW, w: W, h: H }));
		});
		return { boxes, width: M * 2 + (cols.length - 1) * COL + W + 60, height: M * 2 + tallest * ROW - 34 + 40, dir: 'h' };
	}
	// narrow: two boxes a row when they fit, room on the right for edges that turn back
	const M2 = 8, GAP = 14, ROWGAP = 74, H = 56, BACK = 40;
	const W = Math.max(110, Math.min(150, Math.floor((width - 2 * M2 - GAP - BACK) / 2)));
	const cap = Math.max(1, Math.floor((width - 2 * M2 - BACK + GAP) / (W + GAP)));
	const across = Math.min(cap, Math.max(...cols.map((c) => c.length)));
	const full = across * (W + GAP) - GAP;
	let y = M2;
	for (const c of cols) {
		for (let i = 0; i < c.length; i += cap) {
			const row = c.slice(i, i + cap);
			const left = M2 + (full - (row.length * (W + GAP) - GAP)) / 2;
			row.forEach((g, j) => boxes.set(g.id, { x: left + j * (W + GAP), y, w: W, h: H }));
			y += H + ROWGAP;
		}
	}
	return { boxes, width: M2 * 2 + full + BACK, height: y - ROWGAP + M2 + 30, dir: 'v' };
}

const bez = (p, t) => {
	const u = 1 - t;
	return { x: u * u * u * p[0].x + 3 * u * u * t * p[1].x + 3 * u * t * t * p[2].x + t * t * t * p[3].x,
		y: u * u * u * p[0].y + 3 * u * u * t * p[1].y + 3 * u * t * t * p[2].y + t * t * t * p[3].y };
};
const curve = (p) => ({ d: `M${p[0].x},${p[0].y} C${p[1].x},${p[1].y} ${p[2].x},${p[2].y} ${p[3].x},${p[3].y}`, mid: bez(p, 0.5), pts: p });

// whether curve p passes through a box other than its ends
function crosses(p, boxes, a, b) {
	for (let i = 1; i < 32; i++) {
		const q = bez(p, i / 32);
		for (const x of boxes) if (x !== a && x !== b && q.x > x.x - 6 && q.x < x.x + x.w + 6 && q.y > x.y - 6 && q.y < x.y + x.h + 6) return true;
	}
	return false;
}

// straight segments through pts with rounded corners
function ortho(pts, mid, vertical = false) {
	let d = `M${pts[0].x},${pts[0].y}`;
	for (let i = 1; i < pts.length - 1; i++) {
		const [a, p, n] = [pts[i - 1], pts[i], pts[i + 1]];
		const la = Math.hypot(p.x - a.x, p.y - a.y) || 1, ln = Math.hypot(n.x - p.x, n.y - p.y) || 1;
		const r = Math.min(10, la / 2, ln / 2);
		d += ` L${p.x - ((p.x - a.x) / la) * r},${p.y - ((p.y - a.y) / la) * r} Q${p.x},${p.y} ${p.x + ((n.x - p.x) / ln) * r},${p.y + ((n.y - p.y) / ln) * r}`;
	}
	const z = pts[pts.length - 1];
	// the lane: the segment a label goes on
	const seg = pts.length === 6 ? [pts[2], pts[3]] : [pts[1], pts[2]];
	return { d: `${d} L${z.x},${z.y}`, mid, pts, vertical, seg };
}

// The path from box a to box b, off pixels beside the others between the same two groups. A curve
// when nothing is in its way; else around every box: along a lane above the drawing (wide) or to its
// right (narrow), one lane per such edge (lanes counts them).
function route(a, b, dir, off, all, lanes) {
	if (a === b) { // within one group: a loop on its right
		const s = { x: a.x + a.w, y: a.y + a.h / 3 + off / 3 }, t = { x: a.x + a.w, y: a.y + (2 * a.h) / 3 + off / 3 };
		return curve([s, { x: s.x + 46 + Math.abs(off), y: s.y - 26 }, { x: t.x + 46 + Math.abs(off), y: t.y + 26 }, t]);
	}
	if (dir === 'h') {
		const s = { x: a.x + a.w, y: a.y + a.h / 2 + off };
		if (b.x > a.x + a.w / 2) {
			const t = { x: b.x, y: b.y + b.h / 2 + off };
			const dx = (t.x - s.x) / 2;
			const c = [s, { x: s.x + dx, y: s.y }, { x: t.x - dx, y: t.y }, t];
			if (!crosses(c, all, a, b)) return curve(c);
			const y = lanes.top - 16 - 14 * lanes.n++;
			const pts = [s, { x: s.x + 26, y: s.y }, { x: s.x + 26, y }, { x: t.x - 26, y }, { x: t.x - 26, y: t.y }, t];
			return ortho(pts, { x: (s.x + t.x) / 2, y });
		}
		const t = { x: b.x + b.w, y: b.y + b.h / 2 + off };
		if (Math.abs(b.x - a.x) < 1) { // one column: down or up the gap on its right
			const x = s.x + 26 + Math.abs(off);
			return ortho([s, { x, y: s.y }, { x, y: t.y }, t], { x, y: (s.y + t.y) / 2 });
		}
		const y = lanes.top - 16 - 14 * lanes.n++; // back to an earlier column
		const pts = [s, { x: s.x + 26, y: s.y }, { x: s.x + 26, y }, { x: t.x + 26, y }, { x: t.x + 26, y: t.y }, t];
		return ortho(pts, { x: (s.x + t.x) / 2 + 13, y });
	}
	if (Math.abs(b.y - a.y) < a.h / 2) { // side by side in one row: an arc between their facing sides
		const fwd = b.x > a.x;
		const s = { x: fwd ? a.x + a.w : a.x, y: a.y + a.h / 2 + off }, t = { x: fwd ? b.x : b.x + b.w, y: b.y + b.h / 2 + off };
		return curve([s, { x: s.x + (t.x - s.x) / 3, y: s.y - 22 }, { x: t.x - (t.x - s.x) / 3, y: t.y - 22 }, t]);
	}
	if (b.y > a.y + a.h / 2) {
		const s = { x: a.x + a.w / 2 + off, y: a.y + a.h }, t = { x: b.x + b.w / 2 + off, y: b.y };
		const dy = (t.y - s.y) / 2;
		const c = [s, { x: s.x, y: s.y + dy }, { x: t.x, y: t.y - dy }, t];
		if (!crosses(c, all, a, b)) return curve(c);
	}
	const s = { x: a.x + a.w, y: a.y + a.h / 2 + off }, t = { x: b.x + b.w, y: b.y + b.h / 2 + off };
	const x = lanes.right + 12 + 12 * lanes.n++;
	return ortho([s, { x, y: s.y }, { x, y: t.y }, t], { x, y: (s.y + t.y) / 2 }, true);
}

const clip = (s, n) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const S = (tag, attrs, ...kids) => h(`svg:${tag}`, attrs, ...kids);

function groupSub(g, docs) {
	const ctrs = g.members.filter((m) => m.kind === 'container');
	if (g.kind === 'host') return 'host';
	if (g.kind === 'external') return peerOf(g.members[0]).addrs.some((a) => !isPrivate(a)) ? 'outside · world' : 'outside · private';
	const d = g.repo ? docs.get(g.repo) : null;
	const n = `${ctrs.length} container${ctrs.length === 1 ? '' : 's'}`;
	return d ? `${n} · ${d.mode} v${d.version}` : `${n} · no baseline`;
}

function drawSvg(model, docs, width, mode) {
	const cols = layers(model.groups, model.drawn);
	const { boxes, dir } = place(cols, width);
	const all = [...boxes.values()];
	const lanes = { top: Math.min(...all.map((x) => x.y)), right: Math.max(...all.map((x) => x.x + x.w)), n: 0 };
	// the arrowheads keep their size whatever the line's width
	const markers = ['expected', 'unexpected', 'no-baseline', 'exposed', 'blocked'].map((t) => S('marker', { id: `arrow-${t}`, class: `arrow ${cls(t)}`, viewBox: '0 0 10 10', refX: '9', refY: '5', markerUnits: 'userSpaceOnUse', markerWidth: '11', markerHeight: '11', orient: 'auto-start-reverse' },
		S('path', { d: 'M0,0 L10,5 L0,10 z' })));
	const svg = S('svg', { class: `netmap dir-${dir}`, role: 'group', 'aria-label': `Network map by ${mode}: ${model.groups.size} nodes, ${model.drawn.length} edges (the table below lists every edge)` },
		S('defs', {}, markers));
	// parallel edges between the same two groups sit side by side
	const pairs = new Map();
	for (const d of model.drawn) {
		const k = [d.from, d.to].sort().join('\u0001');
		if (!pairs.has(k)) pairs.set(k, []);
		pairs.get(k).push(d);
	}
	const edgeLayer = S('g', { class: 'edges' }), labelLayer = S('g', { class: 'labels' });
	const nameOf = (id) => model.groups.get(id).label;
	// the drawing's extent: boxes, paths (their control points bound them) and labels
	const ext = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
	const grow = (x, y) => { ext.x0 = Math.min(ext.x0, x); ext.y0 = Math.min(ext.y0, y); ext.x1 = Math.max(ext.x1, x); ext.y1 = Math.max(ext.y1, y); };
	for (const x of all) { grow(x.x, x.y); grow(x.x + x.w, x.y + x.h); }
	// a label goes where it covers no other label and no box: along its curve or its lane, else mid-way
	const taken = [];
	const meets = (a, b) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
	const spot = (r, text) => {
		const w = text.length * 6.2 + 6, hh = 15;
		const at = (c) => (r.vertical ? { x: c.x - hh / 2, y: c.y - w / 2, w: hh, h: w } : { x: c.x - w / 2, y: c.y - hh / 2, w, h: hh });
		const ts = [0.5, 0.38, 0.62, 0.28, 0.72, 0.2, 0.8];
		const cands = r.seg ? ts.map((t) => ({ x: r.seg[0].x + (r.seg[1].x - r.seg[0].x) * t, y: r.seg[0].y + (r.seg[1].y - r.seg[0].y) * t }))
			: ts.map((t) => bez(r.pts, t));
		const c = cands.find((x) => !taken.some((o) => meets(o, at(x))) && !all.some((b) => meets(b, at(x)))) || cands[0];
		const box = at(c);
		taken.push(box);
		grow(box.x, box.y);
		grow(box.x + box.w, box.y + box.h);
		return { ...c, w };
	};
	for (const list of pairs.values()) {
		list.forEach((d, i) => {
			const off = (i - (list.length - 1) / 2) * 16;
			const r = route(boxes.get(d.from), boxes.get(d.to), dir, off, all, lanes);
			for (const p of r.pts) grow(p.x, p.y);
			const tags = tagsOf(d.j);
			const main = d.j.blocked ? 'blocked' : d.j.verdict === 'unexpected' ? 'unexpected' : d.j.exposed ? 'exposed' : d.j.verdict;
			const text = `${nameOf(d.from)} → ${nameOf(d.to)} ${d.proto}/${d.port}: ${d.connections} connection${d.connections === 1 ? '' : 's'}${d.blocked ? `, ${d.blocked} blocked` : ''}; ${tags.join(', ')}`;
			edgeLayer.append(S('g', { class: `edge ${tags.map(cls).join(' ')}`, 'data-from': d.from, 'data-to': d.to, 'data-from-label': nameOf(d.from), 'data-to-label': nameOf(d.to), 'data-port': String(d.port), 'data-proto': d.proto, 'data-status': tags.join(' ') },
				S('title', {}, text),
				S('path', { class: 'hit', d: r.d }),
				S('path', { class: `line ${cls(main)}`, d: r.d, 'marker-end': `url(#arrow-${cls(main).slice(3)})` })));
			const label = `${d.proto}/${d.port} · ${d.connections}${d.blocked ? ` · ${d.blocked} blocked` : ''}`;
			const m = spot(r, label);
			const turn = r.vertical ? `rotate(-90 ${m.x} ${m.y})` : null;
			labelLayer.append(S('rect', { class: 'lbg', x: String(m.x - m.w / 2), y: String(m.y - 7.5), width: String(m.w), height: '15', rx: '3', transform: turn }),
				S('text', { class: `elabel ${cls(main)}`, x: String(m.x), y: String(m.y + 4), 'text-anchor': 'middle', 'aria-hidden': 'true', transform: turn }, label));
		});
	}
	const M = 8;
	const vb = [Math.floor(Math.min(0, ext.x0 - M)), Math.floor(Math.min(0, ext.y0 - M))];
	vb.push(Math.ceil(ext.x1 + M - vb[0]), Math.ceil(ext.y1 + M - vb[1]));
	svg.setAttribute('viewBox', vb.join(' '));
	svg.setAttribute('width', String(vb[2]));
	svg.setAttribute('height', String(vb[3]));
	const nodeLayer = S('g', { class: 'nodes' });
	for (const g of model.groups.values()) {
		const b = boxes.get(g.id);
		const sub = groupSub(g, docs);
		const names = g.members.map(nodeName);
		const tip = `${g.label}${g.kind === 'container' ? ` (${names.join(', ')})` : ''}: ${sub}`;
		const body = [S('title', {}, tip),
			S('rect', { x: String(b.x), y: String(b.y), width: String(b.w), height: String(b.h), rx: '6' }),
			S('text', { class: 'nlabel', x: String(b.x + 10), y: String(b.y + 22) }, clip(g.label, Math.floor(b.w / 7.6))),
			S('text', { class: 'nsub', x: String(b.x + 10), y: String(b.y + 42) }, clip(sub, Math.floor(b.w / 6.4)))];
		const hasDoc = g.repo && docs.has(g.repo);
		nodeLayer.append(hasDoc
			? S('a', { href: `#/baselines/${enc(g.repo)}`, class: `node k-${g.kind}`, 'data-group': g.id, 'aria-label': `${tip}; open its baseline` }, body)
			: S('g', { class: `node k-${g.kind}`, 'data-group': g.id }, body));
	}
	svg.append(edgeLayer, nodeLayer, labelLayer);
	// a node's edges stand out while it is pointed at or focused
	const light = (gid) => {
		svg.classList.toggle('focusing', !!gid);
		for (const el of edgeLayer.children) el.classList.toggle('lit', !!gid && (el.dataset.from === gid || el.dataset.to === gid));
	};
	for (const el of nodeLayer.children) {
		el.addEventListener('mouseenter', () => light(el.dataset.group));
		el.addEventListener('mouseleave', () => light(null));
		el.addEventListener('focus', () => light(el.dataset.group));
		el.addEventListener('blur', () => light(null));
	}
	return svg;
}

function legend() {
	const item = (t, text) => h('li', {}, S('svg', { width: '34', height: '12', 'aria-hidden': 'true', class: 'netkey' },
		S('line', { class: `line ${cls(t)}`, x1: '2', y1: '6', x2: '32', y2: '6' })), ` ${text}`);
	return h('ul', { class: 'legend', 'aria-label': 'Edge styles' },
		item('expected', 'expected: in the baselines of both ends'),
		item('unexpected', 'unexpected: a baseline has no entry for it (dashed)'),
		item('exposed', 'exposed: to the outside, or from the outside or the host into a container (thick)'),
		item('blocked', 'blocked: connections refused (dotted)'),
		item('no-baseline', 'no baseline at either end'));
}

// ---- #/network?group=image|label|container&key=LABEL

export async function networkPage(root, params) {
	const [net, list] = await Promise.all([api('/network'), api('/baselines')]);
	const nodes = Array.isArray(net.nodes) ? net.nodes : [];
	const repos = new Set(nodes.filter((n) => n.kind === 'container').map((n) => repoOf(n.image)).filter((r) => r));
	const want = (list.items || []).filter((b) => repos.has(b.repository)).slice(0, MAX_DOCS);
	const docs = new Map((await Promise.all(want.map((b) => api('/baselines/doc', { params: { repository: b.repository } }).catch(() => null))))
		.filter((d) => d).map((d) => [d.repository, d]));
	const keys = [...new Set(nodes.flatMap((n) => (n.labels && typeof n.labels === 'object' ? Object.keys(n.labels) : [])))].sort();
	let mode = ['image', 'label', 'container'].includes(params.get('group')) ? params.get('group') : 'image';
	const key = keys.includes(params.get('key')) ? params.get('key') : keys[0] || '';
	if (mode === 'label' && !key) mode = 'image';
	const model = build(net, docs, mode, key);

	root.append(h('h1', {}, 'Network'));
	const radio = (v, text) => h('span', { class: 'check' },
		h('input', { type: 'radio', name: 'group', id: `net-g-${v}`, value: v, checked: mode === v, disabled: v === 'label' && !keys.length,
			onchange: () => go('/network', { group: v, key: v === 'label' ? key : '' }) }),
		h('label', { for: `net-g-${v}` }, text));
	const keySel = h('select', { id: 'net-key', name: 'key', disabled: !keys.length, onchange: (e) => go('/network', { group: 'label', key: e.target.value }) },
		keys.length ? keys.map((k) => h('option', { value: k, selected: k === key }, k)) : h('option', { value: '' }, 'no labels'));
	root.append(h('form', { class: 'filters', 'aria-label': 'Group the map', onsubmit: (e) => e.preventDefault() },
		h('fieldset', { class: 'radios' }, h('legend', {}, 'Group containers by'), radio('image', 'Image'), radio('label', 'Label'), radio('container', 'Container')),
		h('div', { class: 'field' }, h('label', { for: 'net-key' }, 'Label key'), keySel)));

	const count = (f) => model.edges.filter(f).length;
	const summary = `${model.byId.size} nodes, ${model.edges.length} edges: ${count((x) => x.j.verdict === 'expected')} expected, ${count((x) => x.j.verdict === 'unexpected')} unexpected, ${count((x) => x.j.exposed)} exposed, ${count((x) => x.j.blocked)} blocked`;
	root.append(h('p', { class: 'status', role: 'status' }, summary));
	if (!model.edges.length && !model.byId.size) {
		root.append(empty('No network map yet: agents report it as network.snapshot events.'));
		return;
	}
	const wrap = h('div', { class: 'netmap-wrap' });
	const figure = h('figure', { class: 'panel netmap-fig' }, wrap, h('figcaption', {}, legend()));
	root.append(figure);
	// drawn for the room there is; again when the width changes enough to matter
	let drawnFor = 0;
	const draw = () => {
		if (!wrap.isConnected && drawnFor) return;
		const w = wrap.clientWidth || root.clientWidth || 1000;
		if (Math.abs(w - drawnFor) < 40) return;
		drawnFor = w;
		wrap.replaceChildren(drawSvg(model, docs, w, mode));
	};
	draw();
	if (typeof ResizeObserver !== 'undefined') new ResizeObserver(() => draw()).observe(wrap);

	const rows = model.edges.slice().sort((a, b) => nodeName(a.from).localeCompare(nodeName(b.from)) || nodeName(a.to).localeCompare(nodeName(b.to))
		|| a.e.port - b.e.port || String(a.e.host).localeCompare(String(b.e.host)));
	const end = (n) => [nodeName(n), ' ', h('span', { class: 'muted small' }, n.kind === 'container' ? repoOf(n.image) || 'container' : n.kind)];
	root.append(section('Edges', table('Every edge of the network map', [
		{ label: 'From', get: (x) => end(x.from) },
		{ label: 'To', get: (x) => end(x.to) },
		{ label: 'Port', get: (x) => `${x.e.proto}/${x.e.port}` },
		{ label: 'Connections', cls: 'num', get: (x) => String(x.e.connections || 0) },
		{ label: 'Bytes', cls: 'num nowrap', get: (x) => fmtBytes(x.e.bytes || 0) },
		{ label: 'Blocked', cls: 'num', get: (x) => String(x.e.blocked || 0) },
		{ label: 'First seen', get: (x) => fmtTime(x.e.first_seen) },
		{ label: 'Last seen', get: (x) => fmtTime(x.e.last_seen) },
		{ label: 'Host', get: (x) => x.e.host || '' },
		{ label: 'Status', get: (x) => h('span', { class: 'status-cell' }, statusBadges(x.j), reasons(x.j)) },
	], rows, { rowClass: (x) => `edge-row ${tagsOf(x.j).map(cls).join(' ')}` })));
	if (docs.size) {
		root.append(section('Baselines on this map', h('ul', { class: 'plain' }, [...docs.values()].sort((a, b) => a.repository.localeCompare(b.repository))
			.map((d) => h('li', {}, h('a', { href: `#/baselines/${enc(d.repository)}` }, d.repository), ' ', modeBadge(d.mode), ` v${d.version}`)))));
	}
}
