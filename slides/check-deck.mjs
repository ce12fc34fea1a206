// check-deck.mjs -- test the built deck the way the audience will see it:
// build/slides/index.html from a file:// URL, in Debian's chromium, offline.
//
//   node slides/check-deck.mjs DECK.html NODE_DIR SCREENSHOT.png
//
// NODE_DIR holds node_modules/playwright-core (slides.mk installs it under
// build/). Prints one line per check and ends with "slides: N passed, M failed";
// exits 1 if any check failed.
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [deckArg, nodeDir, shotArg] = process.argv.slice(2);
if (!deckArg || !nodeDir || !shotArg) {
	console.error('usage: node check-deck.mjs DECK.html NODE_DIR SCREENSHOT.png');
	process.exit(2);
}
const deck = path.resolve(deckArg);
const shot = path.resolve(shotArg);
const CHROMIUM = '/usr/bin/chromium';

let passed = 0, failed = 0;
function check(ok, what, detail) {
	if (ok) passed++; else failed++;
	console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${!ok && detail ? `: ${detail}` : ''}`);
	return ok;
}
function finish() {
	console.log(`slides: ${passed} passed, ${failed} failed`);
	process.exit(failed ? 1 : 0);
}

if (!check(existsSync(deck), `deck exists: ${deckArg}`, 'run make slides first')) finish();
if (!check(existsSync(CHROMIUM), `browser exists: ${CHROMIUM}`, 'apt-get install chromium')) finish();

const { chromium } = createRequire(path.resolve(nodeDir, 'package.json'))('playwright-core');
const profile = mkdtempSync(path.join(tmpdir(), 'check-deck-'));
let context;
try {
	context = await chromium.launchPersistentContext(profile, {
		executablePath: CHROMIUM,
		headless: true,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
		       '--disable-background-networking', '--disable-component-update', '--disable-sync'],
		viewport: { width: 1280, height: 720 },
		offline: true,
	});
	await run(context);
} catch (err) {
	check(false, 'the deck could be driven in chromium', err.message.split('\n')[0]);
} finally {
	if (context) await context.close().catch(() => {});
	rmSync(profile, { recursive: true, force: true });
}
finish();

async function run(context) {
	const page = context.pages()[0] ?? await context.newPage();
	const deckURL = pathToFileURL(deck).href;
	const consoleErrors = [], badRequests = [], failedRequests = [], otherFiles = [];

	page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
	page.on('pageerror', (e) => consoleErrors.push(`uncaught: ${e.message}`));
	page.on('request', (r) => {
		const url = r.url();
		if (url.startsWith('data:')) return;
		if (!url.startsWith('file:')) badRequests.push(url);
		else if (url.split('#')[0] !== deckURL) otherFiles.push(url);
	});
	page.on('requestfailed', (r) => failedRequests.push(`${r.url().slice(0, 80)} (${r.failure()?.errorText})`));

	await page.goto(deckURL, { waitUntil: 'load' });
	const ready = await page.waitForFunction(() => window.Reveal && Reveal.isReady(), null, { timeout: 15000 })
		.then(() => true, () => false);
	if (!check(ready, 'reveal.js is loaded and ready')) return;
	await page.evaluate(() => Reveal.configure({ transition: 'none', backgroundTransition: 'none' }));

	const count = await page.evaluate(() => Reveal.getSlides().length);
	check(count > 1, `the deck has ${count} slides`);

	for (let i = 0; i < count; i++) {
		const s = await page.evaluate(async (i) => {
			const slide = Reveal.getSlides()[i];
			const { h, v } = Reveal.getIndices(slide);
			Reveal.slide(h, v);
			const imgs = [...slide.querySelectorAll('img')];
			// Reveal copies data-src to src when a slide comes near; wait for it.
			await Promise.all(imgs.map((img) => img.decode().catch(() => {})));
			const clone = slide.cloneNode(true);
			clone.querySelectorAll('aside.notes').forEach((n) => n.remove());
			const title = slide.querySelector('h1, h2')?.textContent.trim() ?? '(untitled)';
			return {
				where: `${h + 1}${v ? '.' + (v + 1) : ''}`,
				title,
				present: slide.classList.contains('present'),
				text: clone.textContent.trim().length,
				images: imgs.map((img) => ({ alt: img.alt, src: img.currentSrc.slice(0, 30), w: img.naturalWidth })),
				notes: (Reveal.getSlideNotes(slide) ?? '').trim().length,
				code: [...slide.querySelectorAll('pre code')].map((c) => c.textContent.trim().length),
			};
		}, i);
		const name = `slide ${s.where} "${s.title}"`;
		check(s.present, `${name}: shown`);
		check(s.text > 0 || s.images.length > 0, `${name}: has content`);
		check(s.notes > 0, `${name}: has speaker notes`);
		for (const [k, len] of s.code.entries())
			check(len > 0, `${name}: code block ${k + 1} is not empty`);
		for (const img of s.images)
			check(img.w > 0, `${name}: image ${img.src}... loaded`, `naturalWidth ${img.w}`);
	}

	const svgs = await page.evaluate(() =>
		[...document.querySelectorAll('.reveal .slides img')].filter((i) => i.currentSrc.startsWith('data:image/svg')).length);
	check(svgs >= 2, `the SVG diagrams are embedded (${svgs} found)`);

	await page.evaluate(() => Reveal.slide(0, 0));
	await page.waitForTimeout(300);
	await page.screenshot({ path: shot });
	check(existsSync(shot), `title slide screenshot saved: ${shotArg}`);

	check(consoleErrors.length === 0, 'no console errors', consoleErrors.join(' | '));
	check(badRequests.length === 0, 'no network requests (only file: and data: URLs)', badRequests.join(' '));
	check(otherFiles.length === 0, 'self-contained: no file loaded besides the deck', otherFiles.join(' '));
	check(failedRequests.length === 0, 'no failed requests', failedRequests.join(' '));
}
