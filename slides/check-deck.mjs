// check-deck.mjs -- test the built decks the way the audience will see them:
// build/slides/*.html from a file:// URL, in Debian's chromium, offline, in
// reveal.js's 1280x720 box.
//
//   node slides/check-deck.mjs NODE_DIR DECK.html...
//
// NODE_DIR holds node_modules/playwright-core (slides.mk installs it under
// build/). For each DECK.html it saves DECK-title.png next to it; with
// DECK_PNG=DIR it also saves every slide as DIR/NAME-NNN.png, to look at.
// Prints one line per check and ends with "slides: N passed, M failed";
// exits 1 if any check failed.
//
// Each slide must fit: nothing past the slide's box, no code block that
// scrolls or wraps a line, no block drawn over another (code over its
// caption), and no code set below 16 px, the smallest size that can be
// read from the back of a room.
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const MIN_CODE_PX = 16;
const [nodeDir, ...deckArgs] = process.argv.slice(2);
if (!nodeDir || deckArgs.length === 0) {
	console.error('usage: node check-deck.mjs NODE_DIR DECK.html...');
	process.exit(2);
}
const CHROMIUM = '/usr/bin/chromium';
const pngDir = process.env.DECK_PNG ? path.resolve(process.env.DECK_PNG) : null;

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

if (!check(existsSync(CHROMIUM), `browser exists: ${CHROMIUM}`, 'apt-get install chromium')) finish();
if (pngDir) mkdirSync(pngDir, { recursive: true });

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
	for (const deckArg of deckArgs)
		await run(context, deckArg);
} catch (err) {
	check(false, 'the decks could be driven in chromium', err.message.split('\n')[0]);
} finally {
	if (context) await context.close().catch(() => {});
	rmSync(profile, { recursive: true, force: true });
}
finish();

// Measured in the page, for the slide on screen. Sizes are in the deck's
// own pixels (1280x720), whatever reveal.js's scale.
function measure(minCodePx) {
	const scale = Reveal.getScale();
	const box = Reveal.getSlidesElement().getBoundingClientRect();
	const slide = Reveal.getCurrentSlide();
	const visible = (el) => !el.closest('aside.notes') && el.getClientRects().length > 0;
	const name = (el) => {
		const text = el.textContent.trim().replace(/\s+/g, ' ').slice(0, 40);
		return `<${el.tagName.toLowerCase()}${el.className ? '.' + el.className.split(' ')[0] : ''}> "${text}"`;
	};
	const px = (v) => Math.round(v / scale);
	const problems = [];

	// Past the box: any element, text runs included (a <pre> may be inside
	// the box while its lines run out of it).
	for (const el of [slide, ...slide.querySelectorAll('*')].filter(visible)) {
		const r = el.getBoundingClientRect();
		const out = Math.max(r.bottom - box.bottom, r.right - box.right, box.top - r.top, box.left - r.left);
		if (out > 1.5) problems.push(`${name(el)} runs ${px(out)} px past the slide`);
	}
	// Code blocks: readable, and shown whole.
	const code = [...slide.querySelectorAll('pre code')].filter(visible);
	for (const c of code) {
		const style = getComputedStyle(c);
		const size = parseFloat(style.fontSize);
		if (size < minCodePx - 0.01)
			problems.push(`${name(c)} is set in ${size.toFixed(1)} px, below ${minCodePx}`);
		if (c.scrollHeight > c.clientHeight + 1 || c.scrollWidth > c.clientWidth + 1)
			problems.push(`${name(c)} is cut off: it scrolls (${px(c.scrollWidth)}x${px(c.scrollHeight)} in ${px(c.clientWidth)}x${px(c.clientHeight)})`);
		// A wrapped line takes two line boxes. Highlighted code has one
		// inline-block <span> per line (pandoc): a wrapped one is twice as
		// high. Plain code is counted in line heights.
		const spans = [...c.children].filter((s) => s.matches('span'));
		const wrapped = spans.length
			? spans.filter((s) => s.getBoundingClientRect().height / scale > 1.8 * size).length
			: Math.round((c.scrollHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom))
			             / parseFloat(style.lineHeight)) - c.textContent.replace(/\n$/, '').split('\n').length;
		if (wrapped > 0)
			problems.push(`${name(c)} wraps ${wrapped} line(s)`);
	}
	// Blocks drawn over each other (code over its caption, a diagram over
	// text): leaf blocks, not nested in one another, must not intersect.
	const blocks = [...slide.querySelectorAll('h1, h2, p, pre, li, table, img, blockquote')]
		.filter(visible).filter((el) => !el.closest('li, pre, table, blockquote') || el.matches('li') && !el.querySelector('li'));
	for (let i = 0; i < blocks.length; i++)
		for (let j = i + 1; j < blocks.length; j++) {
			const a = blocks[i], b = blocks[j];
			if (a.contains(b) || b.contains(a)) continue;
			const ra = a.getBoundingClientRect(), rb = b.getBoundingClientRect();
			const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
			const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
			if (w > 2 && h > 2) problems.push(`${name(a)} and ${name(b)} overlap by ${px(h)} px`);
		}
	const lowest = Math.max(...[...slide.querySelectorAll('*')].filter(visible).map((el) => el.getBoundingClientRect().bottom));
	return { problems, used: Math.round((lowest - box.top) / scale), code: code.length };
}

async function run(context, deckArg) {
	const deck = path.resolve(deckArg);
	const base = path.basename(deck, '.html');
	const shot = path.join(path.dirname(deck), `${base}-title.png`);
	if (!check(existsSync(deck), `deck exists: ${deckArg}`, 'run make slides first')) return;

	const page = await context.newPage();
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
	if (!check(ready, `${base}: reveal.js is loaded and ready`)) return;
	await page.evaluate(() => Reveal.configure({ transition: 'none', backgroundTransition: 'none' }));
	// The keys slides/README.md promises: S needs the notes plugin.
	check(await page.evaluate(() => Reveal.hasPlugin('notes')), `${base}: the speaker view (S) is there`);
	// Same fonts as on the day: measure only once they are loaded.
	await page.evaluate(() => document.fonts.ready);

	const count = await page.evaluate(() => Reveal.getSlides().length);
	check(count > 1, `${base}: the deck has ${count} slides`);
	let tallest = 0;

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
			const title = slide.querySelector('h1, h2')?.textContent.trim().replace(/\s+/g, ' ') ?? '(untitled)';
			return {
				title,
				present: slide.classList.contains('present'),
				text: clone.textContent.trim().length,
				images: imgs.map((img) => ({ alt: img.alt, src: img.currentSrc.slice(0, 30), w: img.naturalWidth })),
				notes: (Reveal.getSlideNotes(slide) ?? '').trim().length,
				code: [...slide.querySelectorAll('pre code')].map((c) => c.textContent.trim().length),
			};
		}, i);
		const fit = await page.evaluate(measure, MIN_CODE_PX);
		// The counter's number: what the speaker sees bottom right.
		const name = `${base} slide ${i + 1} "${s.title}"`;
		check(s.present, `${name}: shown`);
		check(s.text > 0 || s.images.length > 0, `${name}: has content`);
		check(s.notes > 0, `${name}: has speaker notes`);
		for (const [k, len] of s.code.entries())
			check(len > 0, `${name}: code block ${k + 1} is not empty`);
		for (const img of s.images)
			check(img.w > 0, `${name}: image ${img.src}... loaded`, `naturalWidth ${img.w}`);
		check(fit.problems.length === 0, `${name}: fits in 1280x720 (${fit.used} px high)`, fit.problems.join('; '));
		tallest = Math.max(tallest, fit.used);
		if (pngDir)
			await page.screenshot({ path: path.join(pngDir, `${base}-${String(i + 1).padStart(3, '0')}.png`) });
	}
	console.log(`     ${base}: the tallest slide uses ${tallest} of 720 px`);

	const svgs = await page.evaluate(() =>
		[...document.querySelectorAll('.reveal .slides img')].filter((i) => i.currentSrc.startsWith('data:image/svg')).length);
	check(svgs >= 2, `${base}: the SVG diagrams are embedded (${svgs} found)`);

	await page.evaluate(() => Reveal.slide(0, 0));
	await page.waitForTimeout(300);
	await page.screenshot({ path: shot });
	check(existsSync(shot), `${base}: title slide screenshot saved: ${path.relative(process.cwd(), shot)}`);

	check(consoleErrors.length === 0, `${base}: no console errors`, consoleErrors.join(' | '));
	check(badRequests.length === 0, `${base}: no network requests (only file: and data: URLs)`, badRequests.join(' '));
	check(otherFiles.length === 0, `${base}: self-contained: no file loaded besides the deck`, otherFiles.join(' '));
	check(failedRequests.length === 0, `${base}: no failed requests`, failedRequests.join(' '));
	await page.close();
}
