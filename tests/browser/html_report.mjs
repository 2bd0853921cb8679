// html_report.mjs - opens bulkhead's HTML reports in Debian's chromium (playwright-core), served over
// HTTP with the Content-Security-Policy each report declares, and checks what a person sees there.
// Run by tests/e2e/html.sh:
//   node html_report.mjs DIR SHOTDIR scan:NAME compliance:NAME ...
// DIR holds NAME.html and NAME.json (the same scan in -f json); screenshots go to SHOTDIR.
// Prints PASS/FAIL lines; exit 0 when nothing failed.
import { chromium } from 'playwright-core';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const [dir, shotdir, ...pages] = process.argv.slice(2);
let fails = 0;
const ok = (m) => console.log(`PASS ${m}`);
const ko = (m, why) => { fails++; console.log(`FAIL ${m}: ${why}`); };
const check = (cond, m, why) => (cond ? ok(m) : ko(m, typeof why === 'function' ? why() : why));

// The policy a report declares in its <meta http-equiv>, sent again as a header: a browser applies
// both, and a server that publishes the report would send the header.
function metaCsp(html) {
	const m = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]*)"/);
	return m ? m[1].replace(/&#39;|&apos;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&') : null;
}

const server = http.createServer((req, res) => {
	const name = path.basename(decodeURIComponent(new URL(req.url, 'http://x').pathname));
	const file = path.join(dir, name);
	if (!name.endsWith('.html') || !fs.existsSync(file)) {
		res.writeHead(404, { 'Content-Type': 'text/plain' });
		res.end('not found');
		return;
	}
	const body = fs.readFileSync(file);
	const headers = { 'Content-Type': 'text/html; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' };
	const csp = metaCsp(body.toString('utf8'));
	if (csp) headers['Content-Security-Policy'] = csp;
	res.writeHead(200, headers);
	res.end(body);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}/`;

const browser = await chromium.launch({ executablePath: process.env.BH_CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });

// A page with every console error, uncaught exception and CSP violation recorded. The listener for
// securitypolicyviolation is an init script: the browser runs it outside the page's policy (the
// reports allow no script at all).
async function open(name, viewport = { width: 1280, height: 900 }) {
	const ctx = await browser.newContext({ viewport });
	const page = await ctx.newPage();
	const errors = [];
	page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
	page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
	await page.addInitScript(() => {
		window.__bhViolations = [];
		document.addEventListener('securitypolicyviolation', (e) =>
			window.__bhViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`));
	});
	const res = await page.goto(base + name, { waitUntil: 'load' });
	const problems = async () => [...errors, ...(await page.evaluate(() => window.__bhViolations))];
	return { ctx, page, res, problems };
}

// Text of an element as rendered, CSS generated content (the counters) included: innerText leaves
// ::after content out, the accessibility tree has it.
async function renderedText(page, selector) {
	const cdp = await page.context().newCDPSession(page);
	const { root } = await cdp.send('DOM.getDocument', { depth: 0 });
	const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector });
	const { node } = await cdp.send('DOM.describeNode', { nodeId });
	await cdp.send('Accessibility.enable');
	const { nodes } = await cdp.send('Accessibility.getFullAXTree');
	const byId = new Map(nodes.map((n) => [n.nodeId, n]));
	const start = nodes.find((n) => n.backendDOMNodeId === node.backendNodeId);
	let out = '';
	const walk = (n) => {
		if (n.role && n.role.value === 'StaticText') { out += n.name.value; return; }
		for (const c of n.childIds || []) if (byId.has(c)) walk(byId.get(c));
	};
	if (start) walk(start);
	await cdp.detach();
	return out.replace(/\s+/g, ' ').trim();
}

const SEVS = ['critical', 'high', 'medium', 'low', 'unknown'];
const FILTERS = ['f-critical', 'f-high', 'f-medium', 'f-low', 'f-unknown', 'f-vuln', 'f-check', 'f-fix', 'f-kev'];
const DEFAULT = { 'f-critical': true, 'f-high': true, 'f-medium': true, 'f-low': true, 'f-unknown': true, 'f-vuln': true, 'f-check': true, 'f-fix': false, 'f-kev': false };

async function scanReport(name) {
	const j = JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8'));
	const html = fs.readFileSync(path.join(dir, `${name}.html`), 'utf8');
	// the rows the JSON says the page must have, as the page's filters see them
	const want = [
		...j.findings.map((x) => ({ key: `vuln ${x.id} ${x.path}`, vuln: true, sev: x.severity.toLowerCase(), fix: x.fixed_version != null, kev: !!x.known_exploited, x })),
		...j.checks.map((x) => ({ key: `check ${x.rule} ${x.path ?? ''}`, vuln: false, sev: x.status === 'fail' ? x.severity.toLowerCase() : 'unknown', fix: x.fix != null, kev: false, x })),
	];
	const { ctx, page, res, problems } = await open(`${name}.html`);
	check(res.status() === 200 && res.headers()['content-security-policy'] === metaCsp(html) && /default-src 'none'/.test(metaCsp(html)),
		`${name}: served with the report's own strict CSP as a header`, () => `status ${res.status()}, header ${res.headers()['content-security-policy']}`);
	// the style block is allowed by its hash: the page is styled (body margin 2em of 14px)
	const style = await page.evaluate(() => [getComputedStyle(document.body).marginTop, getComputedStyle(document.querySelector('.sev')).color]);
	check(style[0] === '28px' && style[1] === 'rgb(255, 255, 255)', `${name}: the style block applies under the CSP`, `computed ${style}`);

	// rows: one per finding and check, the same ids, severities, fixes and KEV marks as the JSON
	const rows = await page.$$eval('tbody tr', (trs) => trs.map((tr) => ({
		cls: tr.className, cells: [...tr.cells].map((td) => td.innerText), id: tr.cells[1].innerText.split('\n')[0].trim(),
	})));
	const domKeys = rows.map((r) => {
		const vuln = r.cls.startsWith('vuln');
		const where = r.cells[5].split('\n')[0].trim();
		return `${vuln ? 'vuln' : 'check'} ${r.id} ${vuln ? where : (where.startsWith('/') ? where.replace(/:\d+$/, '') : '')}`;
	});
	const nv = rows.filter((r) => r.cls.startsWith('vuln ')).length, nc = rows.length - nv;
	check(nv === j.findings.length && nc === j.checks.length, `${name}: ${nv} vulnerability rows and ${nc} check rows, as in -f json`,
		`page ${nv}/${nc}, json ${j.findings.length}/${j.checks.length}`);
	const wantCls = want.map((w) => `${w.vuln ? 'vuln' : 'check'} s-${w.sev} ${w.fix ? 'hasfix' : 'nofix'} ${w.kev ? 'iskev' : 'nokev'} ${w.key.split(' ')[1]}`).sort();
	const gotCls = rows.map((r) => `${r.cls} ${r.id}`).sort();
	const diff = wantCls.filter((x, i) => x !== gotCls[i]);
	check(diff.length === 0, `${name}: each row's id, severity, fix and KEV mark match the JSON`, () => `first differences: ${diff.slice(0, 3).join(' | ')} vs ${gotCls.filter((x, i) => x !== wantCls[i]).slice(0, 3).join(' | ')}`);
	const rank = (c) => SEVS.indexOf(c.match(/s-(\w+)/)[1]);
	const vrank = rows.filter((r) => r.cls.startsWith('vuln')).map((r) => rank(r.cls));
	check(vrank.every((v, i) => i === 0 || vrank[i - 1] <= v), `${name}: vulnerabilities in severity order`, `order ${vrank.join(',')}`);

	// what a reader looks for: every CVE id and each finding's layer, as visible text
	const body = await page.locator('tbody').innerText();
	const cves = [...new Set(j.findings.flatMap((x) => x.aliases.filter((a) => a.startsWith('CVE-'))))];
	const missing = cves.filter((c) => !body.includes(c));
	check(cves.length > 0 && missing.length === 0, `${name}: all ${cves.length} CVE ids shown`, `missing ${missing.slice(0, 5)}`);
	const whereOf = new Map(rows.map((r, i) => [domKeys[i], r.cells[5]]));
	const badLayer = want.filter((w) => w.x.layer).filter((w) => !(whereOf.get(w.key) || '').includes(`layer ${w.x.layer.index} (${w.x.layer.digest.slice(0, 19)}`));
	const layers = new Set(want.filter((w) => w.x.layer).map((w) => w.x.layer.index));
	check(layers.size > 0 && badLayer.length === 0, `${name}: layer and digest shown for the ${want.filter((w) => w.x.layer).length} rows with a layer (layers ${[...layers].join(', ')})`,
		() => `${badLayer[0].key}: ${whereOf.get(badLayer[0].key)}`);
	const cards = await page.$$eval('.card b', (bs) => bs.map((b) => Number(b.textContent)));
	const perSev = SEVS.map((s) => want.filter((w) => w.sev === s).length);
	check(JSON.stringify(cards) === JSON.stringify(perSev), `${name}: severity cards ${cards.join('/')}`, `want ${perSev}`);

	// layout: nothing wider than the window, the "Shown" line above the table, the header row stays on top
	for (const width of [1280, 800]) {
		await page.setViewportSize({ width, height: 900 });
		const lay = await page.evaluate(() => ({
			sw: document.documentElement.scrollWidth, cw: document.documentElement.clientWidth,
			shown: document.querySelector('.shown').getBoundingClientRect().bottom, table: document.querySelector('table').getBoundingClientRect().top,
		}));
		check(lay.sw <= lay.cw && lay.shown <= lay.table, `${name}: at ${width} px no horizontal scrolling (${lay.sw} <= ${lay.cw}) and the counts line above the table`,
			`scrollWidth ${lay.sw}, clientWidth ${lay.cw}, counts bottom ${lay.shown}, table top ${lay.table}`);
	}
	await page.setViewportSize({ width: 1280, height: 900 });
	await page.screenshot({ path: path.join(shotdir, `${name}.png`), fullPage: true });
	const stuck = await page.evaluate(async () => {
		window.scrollTo(0, document.documentElement.scrollHeight / 2);
		await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
		return [window.scrollY, document.querySelector('th').getBoundingClientRect().top];
	});
	check(stuck[0] > 0 && Math.abs(stuck[1]) < 2, `${name}: the header row stays at the top when scrolled (scrollY ${stuck[0]})`, `th top ${stuck[1]} at scrollY ${stuck[0]}`);
	await page.evaluate(() => window.scrollTo(0, 0));

	// filters: set the checkboxes by clicking their labels, as a reader does; the visible rows and the
	// "Shown" counters follow the JSON's model of each filter, and no severity or kind label breaks
	const scenarios = [
		['all shown', {}],
		['UNKNOWN off', { 'f-unknown': false }],
		['CRITICAL and HIGH off', { 'f-critical': false, 'f-high': false }],
		['vulnerabilities off', { 'f-vuln': false }],
		['checks off', { 'f-check': false }],
		['only known exploited', { 'f-kev': true }],
		['only with a fix, checks off', { 'f-fix': true, 'f-check': false }],
		['only known exploited, UNKNOWN off', { 'f-kev': true, 'f-unknown': false }],
		['all shown again', {}],
	];
	const keyIndex = new Map(domKeys.map((k, i) => [i, k]));
	for (const [label, change] of scenarios) {
		const state = { ...DEFAULT, ...change };
		for (const id of FILTERS) {
			if ((await page.isChecked(`#${id}`)) !== state[id]) await page.click(`label[for=${id}]`);
		}
		const shownIdx = await page.$$eval('tbody tr', (trs) => trs.map((tr, i) => (tr.getClientRects().length ? i : -1)).filter((i) => i >= 0));
		const got = shownIdx.map((i) => keyIndex.get(i)).sort();
		const vis = want.filter((w) => state[`f-${w.sev}`] && state[w.vuln ? 'f-vuln' : 'f-check'] && (!state['f-fix'] || w.fix) && (!state['f-kev'] || w.kev));
		const exp = vis.map((w) => w.key).sort();
		// the table is laid out again for the rows left: a label broken inside its one word
		// ("VULNERABILIT" / "Y") has two line boxes
		const broken = await page.$$eval('tbody .sev, tbody .kind', (els) => els.filter((e) => {
			const r = document.createRange();
			r.selectNodeContents(e);
			return r.getClientRects().length > 1;
		}).map((e) => e.textContent));
		const text = await renderedText(page, '.shown');
		const nums = (text.match(/Shown: (\d+) vulnerabilities, (\d+) checks \(CRITICAL (\d+), HIGH (\d+), MEDIUM (\d+), LOW (\d+), UNKNOWN (\d+)\)/) || []).slice(1).map(Number);
		const expNums = [vis.filter((w) => w.vuln).length, vis.filter((w) => !w.vuln).length, ...SEVS.map((s) => vis.filter((w) => w.sev === s).length)];
		check(JSON.stringify(got) === JSON.stringify(exp) && JSON.stringify(nums) === JSON.stringify(expNums) && broken.length === 0,
			`${name}: filter "${label}": ${got.length} rows visible, shown "${text}"`,
			`visible ${got.length} want ${exp.length}; counts ${JSON.stringify(nums)} want ${JSON.stringify(expNums)} ("${text}"); labels broken: ${broken.slice(0, 3)}`);
		if (label === 'UNKNOWN off') await page.screenshot({ path: path.join(shotdir, `${name}-filtered.png`), fullPage: true });
	}
	const p = await problems();
	check(p.length === 0, `${name}: no CSP violation, console error or page error while loading and filtering`, p.slice(0, 3).join(' | '));
	await ctx.close();
}

async function complianceReport(name) {
	const j = JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8'));
	const html = fs.readFileSync(path.join(dir, `${name}.html`), 'utf8');
	const { ctx, page, res, problems } = await open(`${name}.html`);
	check(res.status() === 200 && res.headers()['content-security-policy'] === metaCsp(html) && /default-src 'none'/.test(metaCsp(html)),
		`${name}: served with the report's own CSP as a header`, () => `header ${res.headers()['content-security-policy']}`);
	const styled = await page.evaluate(() => getComputedStyle(document.body).fontFamily);
	const rows = await page.$$eval('tr', (trs) => trs.filter((tr) => tr.querySelector('td')).map((tr) => [...tr.cells].map((td) => td.innerText.trim())));
	const statuses = j.controls.map((c) => c.status);
	const gotStatus = rows.map((r) => r.find((c) => ['pass', 'fail', 'not-applicable', 'manual'].includes(c)) || '?');
	check(rows.length === j.controls.length && JSON.stringify(gotStatus) === JSON.stringify(statuses),
		`${name}: ${rows.length} control rows with the JSON's statuses (${['pass', 'fail', 'not-applicable', 'manual'].map((s) => `${statuses.filter((x) => x === s).length} ${s}`).join(', ')})`,
		`rows ${rows.length}, controls ${j.controls.length}; first ${JSON.stringify(rows[0])}`);
	const lay = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
	check(lay[0] <= lay[1], `${name}: no horizontal scrolling at 1280 px`, `scrollWidth ${lay[0]} > ${lay[1]}`);
	await page.screenshot({ path: path.join(shotdir, `${name}.png`), fullPage: true });
	const p = await problems();
	check(p.length === 0 && styled !== '', `${name}: loads with no CSP violation, console error or page error`, p.slice(0, 3).join(' | '));
	await ctx.close();
}

// The listeners must be able to fail: a copy of the first report whose style block no longer matches
// its hash must report a violation.
async function negativeControl(name) {
	const html = fs.readFileSync(path.join(dir, `${name}.html`), 'utf8');
	fs.writeFileSync(path.join(dir, 'tampered.html'), html.replace('<style>', '<style>h1{color:red}'));
	const { ctx, problems } = await open('tampered.html');
	const p = await problems();
	check(p.some((x) => /style-src/.test(x)), `control: a style block off its CSP hash is reported (${p.length} problem(s))`, 'the tampered page reported nothing');
	await ctx.close();
}

try {
	for (const spec of pages) {
		const [kind, name] = spec.split(':');
		if (kind === 'scan') await scanReport(name);
		else await complianceReport(name);
	}
	const first = pages.find((s) => s.startsWith('scan:'));
	if (first) await negativeControl(first.split(':')[1]);
} catch (e) {
	ko('browser run', e.stack.split('\n').slice(0, 4).join(' / '));
} finally {
	await browser.close();
	server.close();
}
process.exit(fails ? 1 : 0);
