// Browser test of the web map written by `ptce-map build`: Debian's chromium, headless,
// driven by puppeteer-core (no browser download). Opens OUT/web/index.html from file:// and
// checks what a user sees against the other outputs of the same run (ptce_points.geojson,
// synthese.csv, the _web area layers, evolutions.csv), never against the web map's own data.
//
// Usage: node carte.test.mjs OUT [--previous] [--screenshot FILE.png]
//        node carte.test.mjs OUT --tiles HOST ATTRIBUTION   (a map built with --tuiles: the
//        only foreign requests go to HOST, and ATTRIBUTION is shown)
// Exit 0 when every check passes; prints each failed check and exits 1 otherwise.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';

const args = process.argv.slice(2);
const out = args[0];
const withPrevious = args.includes('--previous');
const shotIndex = args.indexOf('--screenshot');
const shotPath = shotIndex >= 0 ? args[shotIndex + 1] : null;
const tilesIndex = args.indexOf('--tiles');
const tilesHost = tilesIndex >= 0 ? args[tilesIndex + 1] : null;
if (!out) {
  console.error('usage: node carte.test.mjs OUT [--previous] [--screenshot FILE.png]');
  process.exit(2);
}

const failures = [];
let checks = 0;
function check(ok, what) {
  checks++;
  if (!ok) failures.push(what);
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
}

// ---- what the other outputs say ---------------------------------------------------------

const readJson = (f) => JSON.parse(fs.readFileSync(path.join(out, f), 'utf8'));
const points = readJson('ptce_points.geojson').features.map((f) => f.properties);
const overseas = ['01', '02', '03', '04', '06'];
const regionsWeb = readJson('ptce_regions_web.geojson').features;
const depsWeb = readJson('ptce_departements_web.geojson').features;
const epciFile = ['ptce_epci_web.geojson', 'ptce_epci.geojson'].find((f) => fs.existsSync(path.join(out, f)));
const epciWeb = epciFile ? readJson(epciFile).features : null;

function readCsv(f) {
  const text = fs.readFileSync(path.join(out, f), 'utf8').replace(/^\uFEFF/, '');
  const rows = [];
  let row = [], cell = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ';') { row.push(cell); cell = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell); rows.push(row); row = []; cell = '';
    } else cell += c;
  }
  if (cell || row.length) { row.push(cell); rows.push(row); }
  return rows;
}
const synthese = readCsv('synthese.csv');
const header = synthese[0];
const national = synthese.find((r) => r[1] === 'France entière');
const fold = (s) => String(s || '').normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

// ---- the browser -----------------------------------------------------------------------------

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: [
    ...(process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : []),
    '--disable-gpu', '--no-first-run', '--no-default-browser-check',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--disable-default-apps', '--disable-extensions', '--lang=fr-FR',
  ],
  defaultViewport: { width: 1280, height: 860 },
});

const foreign = [];
const consoleErrors = [];
async function openPage(url) {
  const page = await browser.newPage();
  await page.setRequestInterception(true);
  page.on('request', (req) => {
    const u = req.url();
    if (u.startsWith('file://') || u.startsWith('data:') || u.startsWith('about:')) req.continue();
    else { foreign.push(u); req.abort(); }
  });
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  page.on('requestfailed', (r) => { if (r.url().startsWith('file://')) consoleErrors.push('introuvable : ' + r.url()); });
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForSelector('body[data-pret]', { timeout: 10000 });
  return page;
}

const indexUrl = pathToFileURL(path.join(out, 'web', 'index.html')).href;
let page;
try {
  page = await openPage(indexUrl);
} catch (e) {
  console.error('FAIL la page ne s\'ouvre pas : ' + e);
  await browser.close();
  process.exit(1);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

if (tilesHost) {
  await sleep(500);
  const hosts = [...new Set(foreign.map((u) => new URL(u).host))];
  check(foreign.length > 0 && hosts.length === 1 && hosts[0] === tilesHost,
        `avec --tuiles, seules les tuiles sont demandées, à ${tilesHost} (${hosts.join(', ') || 'aucune requête'})`);
  const attribution = await page.$eval('.leaflet-control-attribution', (e) => e.textContent);
  const expected = args[tilesIndex + 2];
  check(attribution.includes(expected), `attribution des tuiles affichée : « ${expected} »`);
  await browser.close();
  process.exit(failures.length ? 1 : 0);
}
async function settle(p = page) {
  // Wait until no map movement has been reported for 400 ms.
  let last = await p.evaluate(() => document.body.getAttribute('data-mouvements'));
  for (let i = 0; i < 40; i++) {
    await sleep(200);
    const now = await p.evaluate(() => document.body.getAttribute('data-mouvements'));
    if (now === last) { await sleep(200); const again = await p.evaluate(() => document.body.getAttribute('data-mouvements')); if (again === now) return; }
    last = now;
  }
}
// Markers drawn inside the map's box: a cluster counts its number, a single marker one.
async function markersInView(p = page) {
  return p.evaluate(() => {
    const box = document.getElementById('carte').getBoundingClientRect();
    let n = 0;
    document.querySelectorAll('#carte .leaflet-marker-icon').forEach((e) => {
      const r = e.getBoundingClientRect();
      const x = r.left + r.width / 2, y = r.top + r.height / 2;
      if (x < box.left || x > box.right || y < box.top || y > box.bottom) return;
      if (e.classList.contains('marker-cluster')) n += parseInt(e.textContent, 10);
      else if (e.classList.contains('ptce-marqueur')) n += 1;
    });
    return n;
  });
}
async function showTerritory(code, p = page) {
  await p.click(`#territoires button[data-territoire="${code}"]`);
  await settle(p);
}
// Markers of every territory, one territory at a time (each view fits its territory).
async function markersPerTerritory(p = page) {
  const res = {};
  for (const code of ['', ...overseas]) { await showTerritory(code, p); res[code] = await markersInView(p); }
  await showTerritory('', p);
  return res;
}
// Counted in the page (puppeteer's $$eval would fetch one handle per element).
const countSel = (sel, p = page) => p.evaluate((s) => document.querySelectorAll(s).length, sel);
const countOf = (p = page) => p.$eval('#compteur', (e) => Number(e.getAttribute('data-nombre')));

// ---- first render ---------------------------------------------------------------------------

// Time from the start of navigation to the end of the first drawing. This machine may be
// shared: the best of up to three loads is taken, so that one load spike does not decide.
let ready = await page.evaluate(() => Number(document.body.getAttribute('data-pret')));
for (let i = 0; i < 2 && ready >= 1000; i++) {
  await page.reload({ waitUntil: 'load' });
  await page.waitForSelector('body[data-pret]', { timeout: 10000 });
  ready = Math.min(ready, await page.evaluate(() => Number(document.body.getAttribute('data-pret'))));
}
// The first-render time is a benchmark figure, not a test (the project's rule: speed is
// measured by scripts/bench, never asserted on a shared machine): it is printed only.
const [load] = os.loadavg();
console.log(`note première image en ${ready} ms (meilleur de 3 au plus ; charge ${load.toFixed(1)} pour ${os.cpus().length} cœurs)`);
check(await page.$eval('html', (e) => e.lang) === 'fr', 'page en français (lang="fr")');

// ---- markers -----------------------------------------------------------------------------------

await settle();
const expectedPer = { '': 0 };
overseas.forEach((c) => { expectedPer[c] = 0; });
points.forEach((p) => { expectedPer[overseas.includes(p.code_reg) ? p.code_reg : '']++; });
const seen = await markersPerTerritory();
const seenTotal = Object.values(seen).reduce((a, b) => a + b, 0);
check(seenTotal === points.length, `marqueurs (groupes additionnés) = points placés : ${seenTotal} / ${points.length}`);
for (const code of Object.keys(expectedPer))
  check(seen[code] === expectedPer[code], `territoire ${code || 'métropole'} : ${seen[code]} marqueurs, ${expectedPer[code]} attendus`);
check(await countOf() === points.length, 'le compteur annonce tous les points placés');
// Approximate placements (field exactitude of ptce_points: "approche", "departement") are
// drawn hollow, the others full (checked on the searched PTCE below).
const hollowClasses = ['approche', 'departement'];

// ---- one sector ------------------------------------------------------------------------------------

const sectorCol = header.findIndex((h, i) => i > 2 && Number(national[i]) > 0 && h !== 'membres');
const sectorLabel = header[sectorCol];
const sectorCount = Number(national[sectorCol]);
const sectorId = await page.evaluate((label) => {
  const l = [...document.querySelectorAll('#secteurs label')].find((e) => e.querySelector('.libelle').textContent === label);
  return l ? l.querySelector('input').value : null;
}, sectorLabel);
check(!!sectorId, `secteur « ${sectorLabel} » proposé dans les filtres`);
const shownCount = await page.$eval(`[data-compte="${sectorId}"]`, (e) => Number(e.textContent));
check(shownCount === sectorCount, `compte affiché du secteur « ${sectorLabel} » : ${shownCount} (synthese.csv : ${sectorCount})`);
await page.click('#secteurs-aucun');
check(await countOf() === 0, 'tout décocher ne laisse aucun PTCE');
await page.click(`#secteurs input[value="${sectorId}"]`);
await settle();
check(await countOf() === sectorCount, `filtre « ${sectorLabel} » : ${await countOf()} PTCE (synthese.csv : ${sectorCount})`);
const sectorSeen = Object.values(await markersPerTerritory()).reduce((a, b) => a + b, 0);
check(sectorSeen === sectorCount, `filtre « ${sectorLabel} » : ${sectorSeen} marqueurs sur la carte`);
await page.click('#vue-liste');
const sectorRows = await countSel('#tableau-corps tr');
check(sectorRows === sectorCount, `la liste suit le filtre : ${sectorRows} lignes`);
await page.click('#vue-carte');
await page.click('#secteurs-tous');
check(await countOf() === points.length, 'tout cocher rend tous les PTCE');

// ---- AMI year ---------------------------------------------------------------------------------------

const years = {};
points.forEach((p) => { if (p.annee) years[p.annee] = (years[p.annee] || 0) + 1; });
const someYear = Object.keys(years).sort()[0];
if (someYear) {
  await page.select('#annee', someYear);
  check(await countOf() === years[someYear], `année AMI ${someYear} : ${await countOf()} PTCE (${years[someYear]} attendus)`);
  await page.select('#annee', '');
}

// ---- search -------------------------------------------------------------------------------------------

const names = {};
points.forEach((p) => { const k = fold(p.nom); names[k] = (names[k] || 0) + 1; });
// A PTCE with a unique name and accents, approximate if there is one (its hollow symbol is
// checked), else any unique name.
const unique = points.filter((p) => names[fold(p.nom)] === 1);
const target = unique.find((p) => /[^\x00-\x7f]/.test(p.nom) && hollowClasses.includes(p.exactitude)) ||
               unique.find((p) => /[^\x00-\x7f]/.test(p.nom)) || unique[0];
// Typed without accents and in capitals: the search must still find it.
const typed = target.nom.normalize('NFD').replace(/\p{M}/gu, '').toUpperCase();
await page.type('#recherche', typed);
await page.keyboard.press('Enter');
await page.waitForSelector('#fiche:not([hidden])', { timeout: 5000 });
const ficheTitle = await page.$eval('#fiche-titre', (e) => e.textContent);
check(ficheTitle === target.nom, `recherche « ${typed} » : fiche de « ${ficheTitle} »`);
const ficheText = await page.$eval('#fiche', (e) => e.innerText);
check(ficheText.includes(target.commune) && ficheText.includes('Précision du placement') &&
      ficheText.includes('Termes qui les ont décidés') && ficheText.includes('EPCI') &&
      ficheText.includes('Département') && ficheText.includes('Région'),
      'la fiche donne commune, EPCI, département, région, secteurs et leurs termes, précision');
if (target.nom_epci) check(ficheText.includes(target.nom_epci), `la fiche donne l'EPCI « ${target.nom_epci} »`);
await settle();
const icon = await page.evaluate((nom) => {
  const e = [...document.querySelectorAll('#carte .ptce-marqueur')].find((m) => m.title === nom);
  return e ? { approche: e.classList.contains('approche') } : null;
}, target.nom);
check(!!icon, 'le PTCE trouvé est montré sur la carte (groupe ouvert)');
if (icon) check(icon.approche === hollowClasses.includes(target.exactitude),
                `symbole ${icon.approche ? 'creux' : 'plein'} pour l'exactitude « ${target.exactitude} »`);
check(/[#&]ptce=/.test(await page.evaluate(() => location.hash)), "le PTCE choisi est dans l'adresse");
const hashWithPtce = await page.evaluate(() => location.hash);
await page.click('#fiche-fermer');
await page.$eval('#recherche', (e) => { e.value = ''; e.dispatchEvent(new Event('input')); });
await sleep(300);

// A commune name, folded the same way.
const commune = points.find((p) => p.commune && /[^\x00-\x7f]/.test(p.commune))?.commune || points[0].commune;
const byCommune = points.filter((p) => fold(p.commune).includes(fold(commune)) || fold(p.nom).includes(fold(commune))).length;
await page.type('#recherche', fold(commune));
await sleep(400);
check(await countOf() === byCommune, `recherche de la commune « ${commune} » sans accents : ${await countOf()} PTCE (${byCommune} attendus)`);
await page.$eval('#recherche', (e) => { e.value = ''; e.dispatchEvent(new Event('input')); });
await sleep(300);
check(await countOf() === points.length, 'recherche effacée : tous les PTCE');

// ---- list mode ------------------------------------------------------------------------------------------

await page.click('#vue-liste');
const rows = await countSel('#tableau-corps tr');
check(rows === points.length, `liste : ${rows} lignes pour ${points.length} PTCE placés`);
check(await page.$eval('#panneau-carte', (e) => e.hidden), 'en mode liste la carte est masquée');
await page.click('#tableau-entete th[data-col="commune"] button');
const sortState = await page.$eval('#tableau-entete th[data-col="commune"]', (e) => e.getAttribute('aria-sort'));
check(sortState === 'ascending', `tri par commune annoncé (aria-sort=${sortState})`);
const communes = await page.evaluate(() => [...document.querySelectorAll('#tableau-corps tr td:nth-child(2)')].map((e) => e.textContent));
const collator = new Intl.Collator('fr', { sensitivity: 'base', numeric: true });
check(communes.every((c, i) => i === 0 || collator.compare(communes[i - 1], c) <= 0), 'la liste est triée par commune');
await page.focus('#tableau-corps tr[tabindex="0"]');
await page.keyboard.press('ArrowDown');
const focused = await page.evaluate(() => { const r = document.activeElement.closest('tr'); return r ? [...r.parentNode.children].indexOf(r) : -1; });
check(focused === 1, 'flèche bas : la ligne suivante prend le focus');
await page.keyboard.press('Enter');
await page.waitForSelector('#fiche:not([hidden])', { timeout: 5000 });
check(await page.evaluate(() => document.activeElement.id) === 'fiche-titre', 'Entrée sur une ligne ouvre sa fiche, qui prend le focus');
await page.keyboard.press('Escape');
const back = await page.evaluate(() => { const r = document.activeElement.closest('tr'); return r ? [...r.parentNode.children].indexOf(r) : -1; });
check(await page.$eval('#fiche', (e) => e.hidden) && back === 1, 'Échap ferme la fiche et rend le focus à la ligne');
await page.click('#vue-carte');
await settle();

// ---- visible focus, contrast (RGAA) ---------------------------------------------------------

await page.focus('#recherche');
await page.keyboard.press('Tab');
const outline = await page.evaluate(() => { const st = getComputedStyle(document.activeElement); return [document.activeElement.tagName, st.outlineStyle, parseFloat(st.outlineWidth)]; });
check(outline[1] !== 'none' && outline[2] >= 2, `focus visible au clavier (${outline.join(' ')})`);
// Text contrast: every visible text of the interface against its background, at least 4.5:1.
const lowContrast = await page.evaluate(() => {
  const lum = (c) => {
    const [r, g, b] = c.match(/[\d.]+/g).slice(0, 3).map((v) => { v = Number(v) / 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const opaque = (c) => { const m = c.match(/[\d.]+/g); return m && (m.length < 4 || Number(m[3]) === 1); };
  const bad = [];
  let n = 0;
  for (const e of document.querySelectorAll('.filtres label, .filtres legend, .aide, #compteur, button, th, td, .pied p, .entete p, h1')) {
    if (!e.offsetParent || !e.textContent.trim() || e.closest('.leaflet-container')) continue;
    let b = e, bg = 'rgb(255, 255, 255)';
    while (b) { const c = getComputedStyle(b).backgroundColor; if (opaque(c)) { bg = c; break; } b = b.parentElement; }
    const st = getComputedStyle(e);
    if (!opaque(st.color)) continue;
    const [l1, l2] = [lum(st.color), lum(bg)].sort((x, y) => y - x);
    const ratio = (l1 + 0.05) / (l2 + 0.05);
    n++;
    if (ratio < 4.5) bad.push(`${e.tagName}.${e.className} « ${e.textContent.trim().slice(0, 30)} » ${ratio.toFixed(2)}`);
  }
  return { bad, n };
});
check(lowContrast.n > 20 && lowContrast.bad.length === 0, `contraste d'au moins 4,5:1 sur les ${lowContrast.n} textes de l'interface (${lowContrast.bad.length}${lowContrast.bad.length ? ' : ' + lowContrast.bad.slice(0, 3).join(' | ') : ''})`);

// ---- areas ------------------------------------------------------------------------------------------------

async function areas(kind) {
  await page.click(`input[name=aplat][value="${kind}"]`);
  // A large layer (EPCI) is loaded on demand: wait until it is drawn.
  await page.waitForFunction((k) => document.querySelectorAll(`#carte path.ptce-aire-${k}`).length > 0,
                             { timeout: 15000 }, kind).catch(() => {});
  await sleep(200);
  return countSel(`#carte path.ptce-aire-${kind}`);
}
const nReg = await areas('regions');
check(nReg === regionsWeb.length, `régions : ${nReg} aires dessinées (${regionsWeb.length} dans ptce_regions_web.geojson)`);
const nDep = await areas('departements');
check(nDep === depsWeb.length, `départements : ${nDep} aires dessinées (${depsWeb.length} dans ptce_departements_web.geojson)`);
check(await countSel('#legende li') >= 1, 'légende des départements');
if (epciWeb) {
  const nEpci = await areas('epci');
  check(nEpci === epciWeb.length, `EPCI : ${nEpci} aires dessinées (${epciWeb.length} dans ${epciFile})`);
  await areas('departements');
} else {
  check(await page.$eval('input[name=aplat][value="epci"]', (e) => e.disabled), 'sans couche EPCI dans les sorties, le choix EPCI est désactivé');
}
await page.click('input[name=mesure][value="taux"]');
await sleep(200);
check((await page.$eval('#legende h2', (e) => e.textContent)).includes('100 000'), 'mesure pour 100 000 habitants : légende');
// Click the area with the most PTCE: its figures must match the layer.
await page.evaluate(() => { document.querySelectorAll('#carte .leaflet-marker-pane, #carte .leaflet-shadow-pane').forEach((e) => { e.style.display = 'none'; }); });
const box = await page.$eval('#carte', (e) => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; });
// Click the middle of the map (a département of central France) and read its figures.
await page.mouse.click(box[0] + box[2] * 0.55, box[1] + box[3] * 0.55);
await sleep(300);
const areaTitle = await page.$eval('#fiche-titre', (e) => e.textContent).catch(() => '');
const areaDep = depsWeb.find((f) => areaTitle === `${f.properties.nom_dep} (${f.properties.code_dep})`);
check(!!areaDep, `clic sur une aire : fiche « ${areaTitle} »`);
if (areaDep) {
  const txt = await page.$eval('#fiche', (e) => e.innerText);
  check(txt.includes(`PTCE du recensement\n${areaDep.properties.nb_ptce}`) || txt.includes(`PTCE du recensement\t${areaDep.properties.nb_ptce}`),
        `la fiche de l'aire donne ${areaDep.properties.nb_ptce} PTCE comme la couche`);
}
await page.evaluate(() => { document.querySelectorAll('#carte .leaflet-marker-pane, #carte .leaflet-shadow-pane').forEach((e) => { e.style.display = ''; }); });
await page.click('#fiche-fermer').catch(() => {});

// ---- state in the URL -------------------------------------------------------------------------------------

await page.click('#secteurs-aucun');
await page.click(`#secteurs input[value="${sectorId}"]`);
const stateUrl = await page.evaluate(() => location.href);
check(stateUrl.includes('aplat=departements') && stateUrl.includes('secteurs=' + sectorId), `état dans l'adresse : ${stateUrl.split('#')[1]}`);
const page2 = await openPage(stateUrl);
check(await countOf(page2) === sectorCount, 'le lien rouvre le même filtre');
check(await page2.$eval('input[name=aplat][value="departements"]', (e) => e.checked), 'le lien rouvre le même aplat');
check(await page2.$eval('input[name=mesure][value="taux"]', (e) => e.checked), 'le lien rouvre la même mesure');
await page2.close();
const page3 = await openPage(indexUrl + hashWithPtce);
await page3.waitForSelector('#fiche:not([hidden])', { timeout: 5000 });
check(await page3.$eval('#fiche-titre', (e) => e.textContent) === target.nom, 'un lien avec ptce= rouvre sa fiche');
await page3.close();
await page.click('#secteurs-tous');

// ---- evolution ----------------------------------------------------------------------------------------------

if (withPrevious) {
  const evol = readCsv('evolutions.csv').slice(1).filter((r) => r.length > 2);
  const isNew = evol.filter((r) => r[2] === 'nouveau' && r[4]).length;
  const ceased = evol.filter((r) => r[2] === 'disparu' && r[3]).length;
  check(!(await page.$eval('#bloc-evolution', (e) => e.hidden)), 'filtre d\'évolution proposé avec --previous');
  await page.select('#evolution', 'nouveaux');
  check(await countOf() === isNew, `nouveaux : ${await countOf()} PTCE (${isNew} placés dans evolutions.csv)`);
  await page.select('#evolution', 'disparus');
  check(await countOf() === ceased, `disparus : ${await countOf()} PTCE (${ceased} placés dans evolutions.csv)`);
  await page.select('#evolution', 'actuels');
  await page.click('input[name=aplat][value="regions"]');
  await page.click('input[name=mesure][value="evolution"]');
  await sleep(200);
  check((await page.$eval('#legende h2', (e) => e.textContent)).includes('Évolution'), 'aplat de l\'évolution par région, avec sa légende');
}

// ---- screenshot ---------------------------------------------------------------------------------------------

// A fresh page with the régions layer: the picture the user guide shows.
const shotPage = await openPage(indexUrl + '#aplat=regions');
await settle(shotPage);
await sleep(300);
const png = await shotPage.screenshot({ type: 'png' });
await shotPage.close();
if (shotPath) fs.writeFileSync(shotPath, png);
const colours = await (async () => {
  const p = await browser.newPage();
  const n = await p.evaluate(async (b64) => {
    const img = new Image();
    img.src = 'data:image/png;base64,' + b64;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width; c.height = img.height;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    const set = new Set();
    for (let i = 0; i < d.length; i += 4 * 7) set.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    return set.size;
  }, Buffer.from(png).toString('base64'));
  await p.close();
  return n;
})();
check(colours > 50, `capture d'écran non vide : ${colours} couleurs distinctes`);

// ---- nothing from elsewhere, no error ---------------------------------------------------------------------------

check(foreign.length === 0, `aucune requête hors file:// (${foreign.length}${foreign.length ? ' : ' + foreign.slice(0, 3).join(' ') : ''})`);
check(consoleErrors.length === 0, `aucune erreur dans la console (${consoleErrors.length}${consoleErrors.length ? ' : ' + consoleErrors.slice(0, 3).join(' | ') : ''})`);

await browser.close();
console.log(`${checks - failures.length}/${checks} vérifications réussies`);
process.exit(failures.length ? 1 : 0);
