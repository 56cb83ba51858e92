#!/usr/bin/env node
// Accessibility check of generated HTML pages in a real browser (Debian's Chromium,
// driven by playwright-core; axe-core injected into each page).
//
//   node tests/a11y/check.mjs PAGE.html [PAGE.html ...]
//
// For each page: axe-core (WCAG 2.0/2.1/2.2 A and AA rules plus best practices, every
// <details> opened so the data tables behind the charts are checked too), reflow at
// 320 CSS px and at 200 % zoom (no horizontal scrolling of the page, nothing cut off),
// the skip link (first Tab stop, visible when focused, target present), on a 390 px screen
// the charts' smallest text (at least 12 CSS px) and the cue of every table wider than
// the screen (a focusable, named scroll container showing a shadow and « faire défiler »), the print
// stylesheet (figures and tables kept whole, headings kept with what follows) and no
// request leaving the file (the page must work offline).
//
// Prints one JSON report on stdout: {"browser": ..., "axe": ..., "pages": [{"file",
// "violations": [...], "checks": [{"name", "ok", "detail"}]}]}. Exit status 0 when
// everything passes, 1 when something fails, 2 when the check itself could not run.
// Environment: CHROMIUM (default /usr/bin/chromium); PANORAMA_TEXTE_MIN_PT, the smallest
// text drawn in a figure (points), and PANORAMA_DPI, the figures' resolution.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const DESKTOP = { width: 1280, height: 900 };
const NARROW = { width: 320, height: 640 }; // WCAG 1.4.10 reflow
const ZOOM_200 = { width: 640, height: 450 }; // a 1280 × 900 window at 200 % zoom
const PHONE = { width: 390, height: 844 }; // issue 13: text at least 12 px on a phone
const TEXT_MIN_PX = 12;
const SMALLEST_PT = Number(process.env.PANORAMA_TEXTE_MIN_PT || 7.5);
const FIGURE_DPI = Number(process.env.PANORAMA_DPI || 150);

async function runAxe(page) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) {
    await page.addScriptTag({ content: AXE_SOURCE });
  }
  const results = await page.evaluate(async (tags) => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return { version: r.testEngine.version, violations: r.violations };
  }, AXE_TAGS);
  return {
    version: results.version,
    violations: results.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.length,
      examples: v.nodes.slice(0, 5).map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
    })),
  };
}

function openAllDetails(page) {
  return page.evaluate(() => { for (const d of document.querySelectorAll('details')) d.open = true; });
}

function closeAllDetails(page) {
  return page.evaluate(() => { for (const d of document.querySelectorAll('details')) d.open = false; });
}

// Horizontal overflow at the current viewport: the page must not scroll sideways, and no
// visible element may stick out of the viewport unless it sits in a scrollable region
// (a wide data table may scroll inside its own focusable container: WCAG 1.4.10 exception).
function overflow(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const scrollWidth = document.scrollingElement.scrollWidth;
    const offenders = [];
    const inScroller = (el) => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const ox = getComputedStyle(p).overflowX;
        if (ox === 'auto' || ox === 'scroll') return true;
      }
      return false;
    };
    for (const el of document.body.querySelectorAll('*')) {
      if (el.closest('.visuellement-cache, .evitement')) continue;
      const rect = el.getBoundingClientRect();
      if (rect.width === 0 || rect.height === 0) continue;
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden') continue;
      if ((rect.right > width + 1 || rect.left < -1) && !inScroller(el)) {
        offenders.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : ''} (${Math.round(rect.left)}–${Math.round(rect.right)} px)`);
      }
    }
    return { width, scrollWidth, offenders: offenders.slice(0, 10), count: offenders.length };
  });
}

async function checkReflow(page, name, viewport) {
  await page.setViewportSize(viewport);
  const checks = [];
  for (const open of [false, true]) {
    if (open) await openAllDetails(page);
    const o = await overflow(page);
    const ok = o.scrollWidth <= o.width + 1 && o.count === 0;
    checks.push({
      name: `${name}${open ? ', tableaux de données ouverts' : ''}`,
      ok,
      detail: ok ? `largeur ${o.width} px, rien ne déborde`
        : `largeur ${o.width} px, largeur défilable ${o.scrollWidth} px ; ${o.count} élément(s) débordent : ${o.offenders.join(', ')}`,
    });
  }
  return checks;
}

async function checkSkipLink(page) {
  await page.setViewportSize(DESKTOP);
  await page.evaluate(() => { document.activeElement?.blur(); window.scrollTo(0, 0); });
  await page.keyboard.press('Tab');
  const state = await page.evaluate(() => {
    const a = document.activeElement;
    if (!a || a.tagName !== 'A') return { ok: false, detail: `premier arrêt de tabulation : ${a ? a.tagName : 'aucun'}` };
    const href = a.getAttribute('href') || '';
    const target = href.startsWith('#') ? document.getElementById(href.slice(1)) : null;
    const r = a.getBoundingClientRect();
    const visible = r.width > 1 && r.height > 1 && r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight;
    const ok = Boolean(target) && visible && target.tagName === 'MAIN';
    return { ok, detail: `« ${a.textContent.trim()} » → ${href} (${target ? target.tagName.toLowerCase() : 'cible absente'}), ${visible ? 'visible' : 'invisible'} quand il a le focus` };
  });
  return { name: 'lien d\'évitement', ...state };
}

async function checkPrint(page) {
  await page.emulateMedia({ media: 'print' });
  const state = await page.evaluate(() => {
    const problems = [];
    const expect = (selector, property, wanted) => {
      for (const el of document.querySelectorAll(selector)) {
        const value = getComputedStyle(el)[property];
        if (!wanted.includes(value)) { problems.push(`${selector} : ${property} = ${value}`); return; }
      }
    };
    expect('figure.graphique', 'breakInside', ['avoid']);
    expect('.tableau:not(.long)', 'breakInside', ['avoid']);
    expect('h2, h3', 'breakAfter', ['avoid']);
    expect('p', 'orphans', ['2', '3']);
    expect('p', 'widows', ['2', '3']);
    return { ok: problems.length === 0, detail: problems.length ? problems.join(' ; ') : 'feuille de style d\'impression appliquée' };
  });
  await page.emulateMedia({ media: 'screen' });
  return { name: 'feuille de style d\'impression', ...state };
}

// On a 390 px screen (a page opened at that width, so that each <picture> picks its
// small screens' image): the smallest text of every chart, from the size it is shown at
// (SMALLEST_PT points drawn at FIGURE_DPI, scaled to the image's rendered width); and every
// table wider than its container scrolls in a focusable region with a name, a shadow and
// the « faire défiler » cue (data tables of the charts opened).
async function checkPhone(context, url) {
  const page = await context.newPage();
  await page.setViewportSize(PHONE);
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => [...document.querySelectorAll('figure.graphique img')]
    .every((img) => img.complete));
  await openAllDetails(page);
  const state = await page.evaluate(({ pt, dpi, min }) => {
    const charts = [...document.querySelectorAll('figure.graphique img')].map((img) => ({
      figure: img.closest('figure').id || img.alt.slice(0, 40),
      px: img.naturalWidth ? pt * img.getBoundingClientRect().width * dpi / (72 * img.naturalWidth) : 0,
    }));
    const small = charts.filter((c) => !(c.px >= min));
    const wide = [...document.querySelectorAll('.tableau, div, section')].filter((el) => {
      const style = getComputedStyle(el);
      return (style.overflowX === 'auto' || style.overflowX === 'scroll') && el.scrollWidth > el.clientWidth + 1
        && el.getBoundingClientRect().width > 0;
    });
    const uncued = wide.filter((el) => {
      const background = getComputedStyle(el).backgroundImage;
      return !(el.getAttribute('role') === 'region' && el.tabIndex === 0 && (el.getAttribute('aria-label') || '').trim()
        && background.includes('radial-gradient') && background.includes('filer'));
    }).map((el) => el.getAttribute('aria-label') || el.className || el.tagName);
    return {
      charts: charts.length,
      least: charts.length ? Math.min(...charts.map((c) => c.px)) : null,
      small: small.map((c) => `${c.figure} (${c.px.toFixed(1)} px)`),
      wide: wide.length,
      uncued,
    };
  }, { pt: SMALLEST_PT, dpi: FIGURE_DPI, min: TEXT_MIN_PX });
  await page.close();
  return [
    { name: 'texte des graphiques à 390 px', ok: state.small.length === 0, charts: state.charts, least: state.least,
      detail: state.small.length ? `texte sous ${TEXT_MIN_PX} px : ${state.small.slice(0, 5).join(', ')}`
        : `${state.charts} graphique(s), plus petit texte ${state.least === null ? '—' : state.least.toFixed(1)} px` },
    { name: 'tableaux larges signalés à 390 px', ok: state.uncued.length === 0, wide: state.wide,
      detail: state.uncued.length ? `sans repère de défilement : ${state.uncued.slice(0, 5).join(', ')}`
        : `${state.wide} tableau(x) plus large(s) que l'écran, chacun avec son repère` },
  ];
}

async function checkPage(context, file) {
  const page = await context.newPage();
  const external = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
    external.push(url);
    return route.abort();
  });
  await page.setViewportSize(DESKTOP);
  await page.goto(pathToFileURL(path.resolve(file)).href, { waitUntil: 'load' });
  const checks = [];
  checks.push(await checkSkipLink(page));
  await openAllDetails(page);
  const axe = await runAxe(page);
  await closeAllDetails(page);
  checks.push(...await checkReflow(page, 'largeur de 320 px', NARROW));
  await closeAllDetails(page);
  checks.push(...await checkReflow(page, 'zoom à 200 %', ZOOM_200));
  checks.push(await checkPrint(page));
  checks.push(...await checkPhone(context, pathToFileURL(path.resolve(file)).href));
  checks.push({ name: 'aucune requête extérieure', ok: external.length === 0,
    detail: external.length ? external.slice(0, 5).join(', ') : 'page autonome' });
  await page.close();
  return { file, axe: axe.version, violations: axe.violations, checks };
}

async function main() {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error('usage : node check.mjs PAGE.html [PAGE.html ...]');
    process.exit(2);
  }
  const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'panorama-a11y-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath, headless: true, args: CHROMIUM_FLAGS, viewport: DESKTOP, locale: 'fr-FR',
      offline: true,
    });
    const browser = context.browser();
    const report = { browser: browser ? browser.version() : 'chromium', pages: [] };
    for (const file of files) report.pages.push(await checkPage(context, file));
    report.axe = report.pages[0]?.axe;
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    const failed = report.pages.some((p) => p.violations.length || p.checks.some((c) => !c.ok));
    process.exitCode = failed ? 1 : 0;
  } finally {
    if (context) await context.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error && error.stack ? error.stack : String(error));
  process.exit(2);
});
