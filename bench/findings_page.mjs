// findings_page.mjs BASE TOKEN: the dashboard's findings page against a running `bulkhead serve`
// (bench/risk.sh with BROWSER=1 points it at a store of millions of findings): the time from asking
// for #/findings (and #/findings?kev=true&running=true) to its first page drawn, median of 5, in
// Debian's chromium driven by playwright-core (tests/browser/node_modules).
import { chromium } from '../tests/browser/node_modules/playwright-core/index.mjs';

const [base, token] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
await page.goto(base);
await page.getByLabel('API token').fill(token);
await page.getByRole('button', { name: 'Sign in' }).click();
await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor({ timeout: 60000 });
for (const hash of ['#/findings', '#/findings?kev=true&running=true']) {
	const times = [];
	for (let i = 0; i < 6; i++) {
		await page.evaluate(() => { location.hash = '#/images'; });
		await page.locator('#main h1', { hasText: 'Images' }).waitFor({ timeout: 60000 });
		times.push(await page.evaluate((h) => new Promise((resolve) => {
			const t0 = performance.now();
			location.hash = h;
			const tick = () => {
				const m = document.getElementById('main');
				if (m.querySelector('[data-ready=findings]')) requestAnimationFrame(() => resolve(performance.now() - t0));
				else requestAnimationFrame(tick);
			};
			requestAnimationFrame(tick);
		}), hash));
	}
	const runs = times.slice(1); // the first visit warms the page's modules
	const med = runs.slice().sort((a, b) => a - b)[2];
	const status = await page.locator('#main .status').innerText();
	const rows = await page.locator('#main table.data tbody tr').count();
	console.log(`  browser ${hash}: ${runs.map((t) => t.toFixed(0)).join(' ')} ms, median ${med.toFixed(0)} ms; ${rows} rows; "${status}"`);
	console.log(`  ${med < 1000 ? 'PASS' : 'FAIL'} browser ${hash}: median ${med.toFixed(0)} ms ${med < 1000 ? '<' : '>='} 1 s`);
}
await browser.close();
