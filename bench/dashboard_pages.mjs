// dashboard_pages.mjs BASE TOKEN: the dashboard's Overview (#/) and Images (#/images) pages against a running
// `bulkhead serve` (bench/dashboard.sh points it at a store of millions of findings): the time from asking for
// the page to the page drawn with its data (its view no longer aria-busy), median of 5 after one warm-up
// visit, in Debian's chromium driven by playwright-core (tests/browser/node_modules).
import { chromium } from '../tests/browser/node_modules/playwright-core/index.mjs';

const [base, token] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
await page.goto(base);
await page.getByLabel('API token').fill(token);
await page.getByRole('button', { name: 'Sign in' }).click();
await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor({ timeout: 120000 });
const drawn = (title) => page.locator('#main .view:not([aria-busy]) h1', { hasText: title }).first();
for (const [hash, title] of [['#/', 'Overview'], ['#/images', 'Images']]) {
	const times = [];
	for (let i = 0; i < 6; i++) {
		await page.evaluate(() => { location.hash = '#/hosts'; });
		await drawn('Hosts').waitFor({ timeout: 60000 });
		times.push(await page.evaluate(([h, t]) => new Promise((resolve) => {
			const t0 = performance.now();
			location.hash = h;
			const tick = () => {
				const v = document.querySelector('#main .view');
				const h1 = v && !v.hasAttribute('aria-busy') ? v.querySelector('h1') : null;
				if (h1 && h1.textContent === t) requestAnimationFrame(() => resolve(performance.now() - t0));
				else requestAnimationFrame(tick);
			};
			requestAnimationFrame(tick);
		}), [hash, title]));
	}
	const runs = times.slice(1); // the first visit warms the page's modules
	const med = runs.slice().sort((a, b) => a - b)[2];
	const what = hash === '#/'
		? `open findings card: ${await page.locator('#main .cards').first().innerText().then((s) => s.split('\n').slice(0, 2).join(' '))}`
		: `"${await page.locator('#main .status').first().innerText()}"`;
	console.log(`  browser ${hash}: ${runs.map((t) => t.toFixed(0)).join(' ')} ms, median ${med.toFixed(0)} ms; ${what}`);
	console.log(`  ${med < 1000 ? 'PASS' : 'FAIL'} browser ${hash}: median ${med.toFixed(0)} ms ${med < 1000 ? '<' : '>='} 1 s`);
}
await browser.close();
