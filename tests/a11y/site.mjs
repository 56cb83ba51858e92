#!/usr/bin/env node
// Browser check of the static site written by `panorama site` (Debian's Chromium driven by
// playwright-core, axe-core injected):
//
//   node tests/a11y/site.mjs SITE_DIR EXPECTED.json SHOTS_DIR
//
// EXPECTED.json (written by tests/test_site.py from the open data, independently of the
// site's code): {"views": {"ANNEE/PERIMETRE": {"chiffres": {code: text}, "tableaux":
// {figure: [[cells]]}}}, "parcours": ["ANNEE/PERIMETRE", ...] (first: the home view),
// "carte": "ANNEE/PERIMETRE" (a view with a map)}.
// The page is loaded from file://, the perimeter and the year changed with the selectors,
// the address checked (and opened in a new tab), every key figure and every table shown
// compared with the expected texts; any request leaving the site's folder fails; axe on
// the home view, a département view and a map view (every chart drawn, every table open);
// keyboard (skip link, selectors, tables reachable by Tab); 390 px: no horizontal scroll,
// chart text ≥ 12 px; time to the first view; screenshots at 1280 and 390 px in SHOTS_DIR.
// Prints one JSON report; exit status 0 when everything passes, 1 otherwise, 2 on error.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const [siteDir, expectedFile, shotsDir] = process.argv.slice(2);
const expected = JSON.parse(fs.readFileSync(expectedFile, 'utf8'));
const root = pathToFileURL(path.resolve(siteDir)).href + '/';
const checks = [];
const outside = [];
function check(name, ok, detail) { checks.push({ name, ok: Boolean(ok), detail: detail || '' }); }

async function waitView(page, key) {
  const [year, perimeter] = key.split('/');
  await page.waitForFunction(([y, p]) => {
    const s = document.getElementById('annee'), q = document.getElementById('perimetre');
    return s && q && s.value === y && q.value === p && document.querySelectorAll('#chiffres li').length > 0
      && document.title.includes(y) && (document.getElementById('etat').textContent || '').includes(y);
  }, [year, perimeter], { timeout: 15000 });
}

async function drawAll(page) {
  // the charts are drawn when scrolled to, and all of them before printing
  await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
  await page.waitForFunction(() => [...document.querySelectorAll('.graphique')].every((g) => g.dataset.rendu === 'oui'),
    null, { timeout: 30000 });
}

async function compare(page, key) {
  const want = expected.views[key];
  const shown = await page.evaluate(() => {
    const figures = {};
    for (const li of document.querySelectorAll('#chiffres li')) figures[li.dataset.indicateur] = li.querySelector('.valeur').textContent;
    const tables = {};
    for (const section of document.querySelectorAll('section.figure')) {
      tables[section.id.replace('figure-', '')] = [...section.querySelectorAll('tbody tr')]
        .map((tr) => [...tr.children].map((c) => c.textContent));
    }
    return { figures, tables };
  });
  const problems = [];
  let compared = 0;
  for (const [code, text] of Object.entries(want.chiffres)) {
    compared += 1;
    if (shown.figures[code] !== text) problems.push(`${code} : affiché ${shown.figures[code]}, attendu ${text}`);
  }
  for (const [id, rows] of Object.entries(want.tableaux)) {
    const got = shown.tables[id];
    if (!got) { problems.push(`tableau ${id} absent`); continue; }
    if (JSON.stringify(got) !== JSON.stringify(rows)) problems.push(`tableau ${id} : ${JSON.stringify(got).slice(0, 200)} ≠ ${JSON.stringify(rows).slice(0, 200)}`);
    compared += rows.length;
  }
  const extra = Object.keys(shown.tables).filter((id) => !(id in want.tableaux));
  if (extra.length) problems.push(`tableaux non vérifiés : ${extra.join(', ')}`);
  check(`valeurs affichées = données ouvertes (${key})`, problems.length === 0 && compared > 0,
    problems.length ? problems.slice(0, 5).join(' ; ') : `${compared} valeurs et lignes comparées`);
}

async function axe(page, key) {
  await drawAll(page);
  await page.evaluate(() => { for (const d of document.querySelectorAll('details')) d.open = true; });
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) await page.addScriptTag({ content: AXE_SOURCE });
  const result = await page.evaluate(async (tags) => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id} (${v.nodes.length}) : ${v.nodes.slice(0, 2).map((n) => n.target.join(' ')).join(', ')}`);
  }, AXE_TAGS);
  await page.evaluate(() => { for (const d of document.querySelectorAll('details')) d.open = false; });
  check(`axe (${key})`, result.length === 0, result.length ? result.join(' ; ') : 'aucune violation');
}

async function main() {
  fs.mkdirSync(shotsDir, { recursive: true });
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'panorama-site-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: FLAGS,
    viewport: { width: 1280, height: 900 }, locale: 'fr-FR', offline: true,
  });
  try {
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(root) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
      outside.push(url);
      return route.abort();
    });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const [home, ...path_] = expected.parcours;
    // time to the first view (key figures and a first chart drawn): the best of three
    // loads, the machine being shared with other work
    const times = [];
    for (let i = 0; i < 3; i += 1) {
      const started = Date.now();
      await page.goto(root + 'index.html' + (i ? '?' + i : ''));
      await waitView(page, home);
      await page.waitForSelector('.graphique[data-rendu="oui"]', { timeout: 15000 });
      times.push(Date.now() - started);
    }
    const firstView = Math.min(...times);
    check('première vue en moins d\'une seconde', firstView < 1000, `${times.join(' ms, ')} ms`);
    check('adresse de la vue d\'accueil', (await page.evaluate(() => location.hash)) === '#' + home,
      await page.evaluate(() => location.hash));
    await compare(page, home);
    await page.screenshot({ path: path.join(shotsDir, 'accueil-1280.png') });
    await axe(page, home);

    // keyboard: skip link first, then the two selectors
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => document.activeElement.textContent.trim());
    await page.keyboard.press('Tab');
    const second = await page.evaluate(() => document.activeElement.id);
    await page.keyboard.press('Tab');
    const third = await page.evaluate(() => document.activeElement.id);
    check('clavier : lien d\'évitement puis sélecteurs', first === 'Aller au contenu' && second === 'perimetre' && third === 'annee',
      `${first} → ${second} → ${third}`);
    const tables = await page.evaluate(() => {
      const summaries = [...document.querySelectorAll('summary')];
      return { total: summaries.length, focusable: summaries.filter((s) => s.tabIndex >= 0).length };
    });
    check('clavier : chaque tableau de données s\'ouvre au clavier', tables.total > 0 && tables.total === tables.focusable,
      `${tables.focusable}/${tables.total}`);

    for (const key of path_) {
      const [year, perimeter] = key.split('/');
      const current = await page.evaluate(() => document.getElementById('annee').value);
      if (current !== year) await page.selectOption('#annee', year);
      await page.selectOption('#perimetre', perimeter);
      await waitView(page, key);
      check(`adresse après sélection (${key})`, (await page.evaluate(() => location.hash)) === '#' + key,
        await page.evaluate(() => location.hash));
      await compare(page, key);
    }
    const departement = path_.find((key) => !key.endsWith('/region'));
    await page.evaluate((key) => { location.hash = key; }, departement);
    await waitView(page, departement);
    await axe(page, departement);
    await page.screenshot({ path: path.join(shotsDir, 'departement-1280.png') });

    // a link opens the same view
    const linked = await context.newPage();
    linked.on('pageerror', (e) => errors.push(String(e)));
    await linked.goto(root + 'index.html#' + expected.carte);
    await waitView(linked, expected.carte);
    await compare(linked, expected.carte);
    await axe(linked, `${expected.carte}, carte`);
    const tooltip = async (target, name) => {
      await target.scrollIntoViewIfNeeded();
      await target.hover({ force: true });
      await linked.waitForTimeout(300);
      const text = await linked.evaluate(() => {
        const tip = document.getElementById('vg-tooltip-element');
        return tip && getComputedStyle(tip).visibility !== 'hidden' ? tip.textContent : '';
      });
      check(`infobulle au survol : ${name}`, /\d/.test(text) && /heures|%|secret/.test(text), text);
    };
    await tooltip(linked.locator('#graphiques .graphique .mark-rect path').first(), 'barre');
    await tooltip(linked.locator('#cartes .graphique .mark-symbol path').first(), 'cercle de la carte');
    await linked.screenshot({ path: path.join(shotsDir, 'carte-1280.png') });
    await linked.evaluate(() => { location.hash = location.hash.split('/')[0] + '/region'; });
    await waitView(linked, expected.carte.split('/')[0] + '/region');
    await drawAll(linked);
    await linked.evaluate(() => {  // the largest département: its centre is inside it
      const paths = [...document.querySelectorAll('#cartes .graphique .mark-shape path')];
      const area = (p) => { const r = p.getBoundingClientRect(); return r.width * r.height; };
      paths.sort((a, b) => area(b) - area(a))[0].setAttribute('data-cible', 'oui');
    });
    await tooltip(linked.locator('path[data-cible]'), 'département de la carte');
    await linked.screenshot({ path: path.join(shotsDir, 'region-carte-1280.png') });

    // 390 px
    const narrow = await context.newPage();
    await narrow.setViewportSize({ width: 390, height: 844 });
    await narrow.goto(root + 'index.html#' + expected.carte);
    await waitView(narrow, expected.carte);
    await drawAll(narrow);
    const layout = await narrow.evaluate(() => {
      const sizes = [...document.querySelectorAll('.graphique svg text')].map((t) => parseFloat(getComputedStyle(t).fontSize));
      return { scroll: document.documentElement.scrollWidth, width: innerWidth, smallest: Math.min(...sizes), texts: sizes.length };
    });
    check('390 px : pas de défilement horizontal', layout.scroll <= layout.width, `${layout.scroll} px pour ${layout.width} px`);
    check('390 px : texte des graphiques ≥ 12 px', layout.texts > 0 && layout.smallest >= 12, `plus petit : ${layout.smallest} px (${layout.texts} textes)`);
    await narrow.screenshot({ path: path.join(shotsDir, 'accueil-390.png') });
    await narrow.locator('#cartes .graphique').first().scrollIntoViewIfNeeded();
    await narrow.screenshot({ path: path.join(shotsDir, 'carte-390.png') });
    await narrow.locator('#graphiques .graphique').first().scrollIntoViewIfNeeded();
    await narrow.screenshot({ path: path.join(shotsDir, 'graphique-390.png') });

    check('aucune requête hors du dossier du site', outside.length === 0, outside.slice(0, 5).join(', '));
    check('aucune erreur JavaScript', errors.length === 0, errors.slice(0, 3).join(' ; '));
    const report = { browser: context.browser()?.version() || 'chromium', firstView, checks };
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    process.exitCode = checks.every((c) => c.ok) ? 0 : 1;
  } finally {
    await context.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error && error.stack ? error.stack : String(error));
  process.exit(2);
});
