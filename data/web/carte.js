/*
 * carte.js — la carte web des PTCE (modèle copié par `ptce-map build` dans web/).
 *
 * Lit window.PTCE_DONNEES (donnees.js, écrit par ptce-map : points, aires, secteurs et leurs
 * couleurs, classes de précision) et dessine avec Leaflet et Leaflet.markercluster.
 * Un seul état (filtres, vue, aplat, territoire, PTCE choisi) : la carte, la liste, les
 * compteurs et l'adresse (#…) en sont tirés ; rien d'autre ne décide de ce qui est affiché.
 * Ne charge rien d'ailleurs : ni tuiles (sauf si ptce-map a reçu --tuiles), ni polices.
 */
(function () {
  'use strict';

  var D = window.PTCE_DONNEES;
  if (!D || !window.L) {
    document.getElementById('sous-titre').textContent =
      'Données ou bibliothèques absentes : ouvrez le dossier web/ complet écrit par ptce-map.';
    return;
  }

  /* ---- utilitaires ----------------------------------------------------------------------- */

  var $ = function (id) { return document.getElementById(id); };
  var nf = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 2 });
  function nombre(v) { return v === null || v === undefined ? '—' : nf.format(v); }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) {
      if (k === 'class') e.className = attrs[k]; else e.setAttribute(k, attrs[k]);
    }
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  /* Repli du texte pour la recherche : décomposition NFD, marques combinantes retirées,
   * minuscules, ligatures, tout ce qui n'est ni lettre ni chiffre devient une espace. */
  function replier(s) {
    return String(s || '').normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()
      .replace(/œ/g, 'oe').replace(/æ/g, 'ae').replace(/ß/g, 'ss')
      .replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
  }

  var secteurs = D.secteurs || [];
  var secteurParId = {};
  secteurs.forEach(function (s) { secteurParId[s.id] = s; });
  var precisionParId = {};
  (D.precisions || []).forEach(function (p) { precisionParId[p.id] = p; });
  var territoires = D.territoires || [];
  var outreMer = {};
  territoires.forEach(function (t) { if (t.code) outreMer[t.code] = t; });

  /* Les PTCE : ceux du recensement, puis (avec --previous) les disparus. Une clé stable
   * par PTCE pour l'adresse : son identifiant, complété de sa ligne s'il se répète. */
  var ptce = [];
  function ajouter(fc) {
    if (!fc || !fc.features) return;
    fc.features.forEach(function (f) {
      var p = f.properties;
      p.secteurs = p.secteurs ? String(p.secteurs).split('|') : [];
      ptce.push({ p: p, lat: f.geometry.coordinates[1], lon: f.geometry.coordinates[0],
                  pli: replier(p.nom) + ' | ' + replier(p.commune) });
    });
  }
  ajouter(D.points);
  ajouter(D.disparus);
  var vues = {};
  ptce.forEach(function (x) { var k = x.p.id || ''; vues[k] = (vues[k] || 0) + 1; });
  var parCle = {};
  ptce.forEach(function (x) {
    var base = x.p.id || 'ligne-' + x.p.ligne;
    x.cle = vues[x.p.id || ''] > 1 || !x.p.id ? base + '~' + (x.p.evolution === 'disparu' ? 'p' : '') + x.p.ligne : base;
    parCle[x.cle] = x;
  });

  var annees = {};
  ptce.forEach(function (x) { if (x.p.annee) annees[x.p.annee] = true; });
  var listeAnnees = Object.keys(annees).map(Number).sort(function (a, b) { return a - b; });

  /* ---- état ------------------------------------------------------------------------------ */

  var etat = {
    vue: 'carte',               /* carte | liste */
    secteurs: null,             /* null : tous ; sinon objet id → true */
    annee: '',                  /* '' toutes, 'inconnue', ou une année */
    q: '',
    evolution: 'actuels',
    aplat: 'aucun',             /* aucun | regions | departements | epci */
    mesure: 'nombre',           /* nombre | taux | evolution */
    territoire: '',             /* '' métropole, ou code de région d'outre-mer */
    ptce: '',                   /* clé du PTCE dont la fiche est ouverte */
    tri: 'nom', sens: 1
  };

  function lireAdresse() {
    var h = location.hash.replace(/^#/, '');
    if (!h) return;
    h.split('&').forEach(function (kv) {
      var i = kv.indexOf('='), k = i < 0 ? kv : kv.slice(0, i);
      var v = i < 0 ? '' : decodeURIComponent(kv.slice(i + 1).replace(/\+/g, ' '));
      switch (k) {
        case 'vue': if (v === 'liste' || v === 'carte') etat.vue = v; break;
        case 'secteurs':
          etat.secteurs = {};
          v.split(',').forEach(function (s) { if (secteurParId[s]) etat.secteurs[s] = true; });
          break;
        case 'annee': etat.annee = v; break;
        case 'q': etat.q = v; break;
        case 'evolution': if (/^(actuels|nouveaux|disparus|tous)$/.test(v)) etat.evolution = v; break;
        case 'aplat': if (/^(aucun|regions|departements|epci)$/.test(v)) etat.aplat = v; break;
        case 'mesure': if (/^(nombre|taux|evolution)$/.test(v)) etat.mesure = v; break;
        case 'territoire': if (outreMer[v]) etat.territoire = v; break;
        case 'ptce': etat.ptce = parCle[v] ? v : ''; break;
        case 'tri': if (/^-?[a-z_]+$/.test(v)) { etat.sens = v[0] === '-' ? -1 : 1; etat.tri = v.replace(/^-/, ''); } break;
      }
    });
    if (!D.evolution) { etat.evolution = 'actuels'; if (etat.mesure === 'evolution') etat.mesure = 'nombre'; }
  }

  function ecrireAdresse() {
    var parts = [];
    function mettre(k, v) { parts.push(k + '=' + encodeURIComponent(v)); }
    if (etat.vue !== 'carte') mettre('vue', etat.vue);
    if (etat.secteurs) mettre('secteurs', Object.keys(etat.secteurs).sort().join(','));
    if (etat.annee) mettre('annee', etat.annee);
    if (etat.q) mettre('q', etat.q);
    if (etat.evolution !== 'actuels') mettre('evolution', etat.evolution);
    if (etat.aplat !== 'aucun') mettre('aplat', etat.aplat);
    if (etat.mesure !== 'nombre') mettre('mesure', etat.mesure);
    if (etat.territoire) mettre('territoire', etat.territoire);
    if (etat.ptce) mettre('ptce', etat.ptce);
    if (etat.tri !== 'nom' || etat.sens !== 1) mettre('tri', (etat.sens < 0 ? '-' : '') + etat.tri);
    var h = parts.length ? '#' + parts.join('&') : '';
    if (h !== location.hash && !(h === '' && location.hash === '')) {
      history.replaceState(null, '', h || location.pathname + location.search);
    }
  }

  /* ---- filtres ----------------------------------------------------------------------------- */

  function passeEvolution(x) {
    var e = x.p.evolution;
    switch (etat.evolution) {
      case 'nouveaux': return e === 'nouveau';
      case 'disparus': return e === 'disparu';
      case 'tous': return true;
      default: return e !== 'disparu';
    }
  }
  function passeAnnee(x) {
    if (!etat.annee) return true;
    if (etat.annee === 'inconnue') return !x.p.annee;
    return String(x.p.annee) === etat.annee;
  }
  function passeSecteur(x) { return !etat.secteurs || !!etat.secteurs[x.p.secteur]; }
  function passeRecherche(x) {
    if (!etat.q) return true;
    var q = replier(etat.q);
    return !q || x.pli.indexOf(q) >= 0;
  }
  /* Tous les filtres, sauf celui qu'on veut compter (facettes). */
  function passe(x, sauf) {
    return passeEvolution(x) && (sauf === 'annee' || passeAnnee(x)) &&
      (sauf === 'secteur' || passeSecteur(x)) && passeRecherche(x);
  }
  function filtres() { return ptce.filter(function (x) { return passe(x); }); }

  /* ---- carte ------------------------------------------------------------------------------- */

  var carte = L.map('carte', { zoomControl: true, minZoom: 2, maxZoom: 15, worldCopyJump: false,
                               attributionControl: true, preferCanvas: false,
                               keyboard: true });
  carte.attributionControl.setPrefix(false);
  var attributions = [D.credit || ''];
  if (D.fond && D.fond.tuiles) {
    L.tileLayer(D.fond.tuiles, { attribution: D.fond.attribution || '', maxZoom: 18 }).addTo(carte);
  } else {
    document.body.classList.add('sans-tuiles');
  }
  carte.attributionControl.addAttribution(attributions.join(' '));
  /* Calques, de bas en haut : fond, aplats, contours des régions, puis les marqueurs. */
  carte.createPane('fond').style.zIndex = 350;
  carte.createPane('aplats').style.zIndex = 380;
  carte.createPane('contours').style.zIndex = 390;
  carte.getPane('contours').style.pointerEvents = 'none';

  /* La légende des aplats, posée sur la carte (elle reste annoncée aux lecteurs d'écran). */
  var controleLegende = L.control({ position: 'bottomright' });
  controleLegende.onAdd = function () { var e = $('legende'); L.DomEvent.disableClickPropagation(e); return e; };
  controleLegende.addTo(carte);

  /* Fond : nos propres contours (régions et départements), rien n'est téléchargé. */
  var fondDeps = D.aires && D.aires.departements ? L.geoJSON(D.aires.departements, {
    interactive: false, pane: 'fond',
    style: { color: '#8a8f98', weight: 0.6, fillColor: '#f4f1ea', fillOpacity: D.fond && D.fond.tuiles ? 0 : 1 }
  }).addTo(carte) : null;
  var fondRegs = D.aires && D.aires.regions ? L.geoJSON(D.aires.regions, {
    interactive: false, pane: 'contours', style: { color: '#4b5563', weight: 1.2, fill: false }
  }).addTo(carte) : null;

  var groupe = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 50,
                                     spiderfyOnMaxZoom: true, chunkedLoading: false });
  groupe.addTo(carte);
  /* Chaque fin de déplacement est comptée sur <body data-mouvements> : les tests du
   * navigateur attendent ainsi que la carte soit posée avant de compter les marqueurs. */
  var mouvements = 0;
  carte.on('moveend', function () { document.body.setAttribute('data-mouvements', String(++mouvements)); });

  function icone(x) {
    var s = secteurParId[x.p.secteur] || { couleur: '#666666' };
    var cls = 'ptce-marqueur' + (x.p.approche ? ' approche' : '') +
      (x.p.evolution === 'nouveau' ? ' nouveau' : '') + (x.p.evolution === 'disparu' ? ' disparu' : '');
    var style = x.p.approche ? 'border-color:' + s.couleur + ';' : 'background:' + s.couleur + ';';
    return L.divIcon({ className: cls, html: '<span style="' + style + '"></span>',
                       iconSize: [16, 16], iconAnchor: [8, 8] });
  }
  ptce.forEach(function (x) {
    x.marqueur = L.marker([x.lat, x.lon], { icon: icone(x), title: x.p.nom, alt: x.p.nom,
                                             keyboard: true, riseOnHover: true });
    x.marqueur.on('click', function () { choisir(x.cle, true); });
  });

  /* Territoires : la métropole et les cinq régions d'outre-mer, toujours à un clic. */
  var limitesTerritoire = {};
  (function () {
    if (!D.aires || !D.aires.regions) return;
    var tmp = {};
    D.aires.regions.features.forEach(function (f) {
      var code = outreMer[f.properties.code] ? f.properties.code : '';
      var b = L.geoJSON(f).getBounds();
      tmp[code] = tmp[code] ? tmp[code].extend(b) : b;
    });
    limitesTerritoire = tmp;
  })();
  function territoireDe(x) { return outreMer[x.p.reg] ? x.p.reg : ''; }
  function montrerTerritoire(code, anime) {
    var b = limitesTerritoire[code];
    if (b) carte.fitBounds(b, { padding: [12, 12], animate: !!anime });
  }

  /* ---- aplats ------------------------------------------------------------------------------- */

  var CLE_AIRE = { regions: 'reg', departements: 'dep', epci: 'epci' };
  var NOM_AIRE = { regions: 'régions', departements: 'départements', epci: 'EPCI' };
  var coucheAplat = null, coucheAplatType = '';
  var palette = D.palette || ['#ffffcc', '#a1dab4', '#41b6c4', '#2c7fb8', '#253494'];
  var paletteEvol = D.palette_evolution || ['#b2182b', '#ef8a62', '#f7f7f7', '#67a9cf', '#2166ac'];
  var classes = [];

  function chiffresAires(type, liste) {
    var k = CLE_AIRE[type], res = {};
    liste.forEach(function (x) {
      var c = x.p[k];
      if (!c || x.p.evolution === 'disparu') return;
      var r = res[c] || (res[c] = { nb: 0, membres: 0, parSecteur: {} });
      r.nb++;
      if (x.p.membres) r.membres += x.p.membres;
      r.parSecteur[x.p.secteur] = (r.parSecteur[x.p.secteur] || 0) + 1;
    });
    return res;
  }
  function valeurAire(props, ch) {
    var nb = ch ? ch.nb : 0;
    if (etat.mesure === 'taux') return props.population > 0 ? nb * 100000 / props.population : null;
    if (etat.mesure === 'evolution') return props.prec === null || props.prec === undefined ? null : props.nb - props.prec;
    return nb;
  }
  function arrondi(v) { return Math.round(v * 100) / 100; }
  /* Classes : quantiles arrondis (comme les styles QGIS) ; évolution : divergente autour de 0. */
  function calculerClasses(valeurs) {
    var v = valeurs.filter(function (a) { return a !== null; }).sort(function (a, b) { return a - b; });
    var res = [];
    if (etat.mesure === 'evolution') {
      var m = 0;
      v.forEach(function (a) { m = Math.max(m, Math.abs(a)); });
      var t = Math.max(1, Math.ceil(m / 2));
      res = [{ min: -Infinity, max: -t - 1, label: '−' + (t + 1) + ' ou moins' },
             { min: -t, max: -1, label: t > 1 ? '−' + t + ' à −1' : '−1' },
             { min: 0, max: 0, label: 'stable' },
             { min: 1, max: t, label: t > 1 ? '+1 à +' + t : '+1' },
             { min: t + 1, max: Infinity, label: '+' + (t + 1) + ' ou plus' }];
      res.forEach(function (c, i) { c.couleur = paletteEvol[i]; });
      return res;
    }
    /* Beaucoup de territoires sans PTCE (les EPCI surtout) : « 0 » a sa propre classe, la
     * plus claire, et les quantiles se calculent sur les valeurs positives. */
    var zeros = v.length && v[0] === 0;
    var pos = v.filter(function (a) { return a > 0; });
    var teintes = zeros ? palette.slice(1) : palette.slice();
    if (zeros) res.push({ min: 0, max: 0, couleur: palette[0], label: '0' });
    if (!pos.length) return res.length ? res : [{ min: 0, max: 0, couleur: palette[0], label: '0' }];
    var max = pos[pos.length - 1];
    var bornes = [0];
    for (var k = 1; k < teintes.length; k++) {
      var q = arrondi(pos[Math.floor(pos.length * k / teintes.length)]);
      if (q > bornes[bornes.length - 1] && q < max) bornes.push(q);
    }
    var haut = Math.ceil(max * 100) / 100;
    if (haut <= bornes[bornes.length - 1]) haut = bornes[bornes.length - 1] + (etat.mesure === 'nombre' ? 1 : 0.01);
    bornes.push(haut);
    var n = bornes.length - 1;
    for (var c = 0; c < n; c++) {
      var teinte = n === 1 ? Math.floor(teintes.length / 2) : Math.round(c * (teintes.length - 1) / (n - 1));
      res.push({ min: bornes[c], max: bornes[c + 1], couleur: teintes[teinte],
                 label: (c === 0 && zeros ? 'plus de 0 à ' : nombre(bornes[c]) + ' – ') + nombre(bornes[c + 1]) });
    }
    return res;
  }
  function couleurDe(v) {
    if (v === null) return '#d1d5db';
    for (var i = 0; i < classes.length; i++) if (v <= classes[i].max) return classes[i].couleur;
    return classes.length ? classes[classes.length - 1].couleur : '#d1d5db';
  }

  /* Une couche écrite à part (aires-epci.js) se charge à la première demande, par un
   * élément <script> : pas de fetch, donc cela marche aussi depuis file://. */
  function chargerAires(type) {
    var a = D.aires[type];
    if (a.chargement) return;
    a.chargement = true;
    var sc = document.createElement('script');
    sc.src = a.fichier;
    sc.onload = function () {
      if (window.PTCE_AIRES && window.PTCE_AIRES[type]) D.aires[type] = window.PTCE_AIRES[type];
      rafraichir();
    };
    sc.onerror = function () {
      a.erreur = true;
      $('legende').replaceChildren(el('p', null, 'Le fichier ' + a.fichier + ' manque à côté de index.html.'));
    };
    document.body.appendChild(sc);
  }

  function dessinerAplat(liste) {
    var type = etat.aplat;
    var fc = D.aires && D.aires[type];
    if (fc && fc.fichier) {
      if (!fc.erreur) {
        chargerAires(type);
        $('legende').replaceChildren(el('p', null, 'Chargement des contours (' + NOM_AIRE[type] + ')…'));
      }
      return;
    }
    if (type === 'aucun' || !fc) {
      if (coucheAplat) { carte.removeLayer(coucheAplat); coucheAplat = null; coucheAplatType = ''; }
      $('legende').replaceChildren();
      return;
    }
    var ch = chiffresAires(type, liste);
    classes = calculerClasses(fc.features.map(function (f) { return valeurAire(f.properties, ch[f.properties.code]); }));
    if (coucheAplatType !== type) {
      if (coucheAplat) carte.removeLayer(coucheAplat);
      coucheAplat = L.geoJSON(fc, {
        pane: 'aplats',
        style: function () { return { className: 'ptce-aire ptce-aire-' + type, color: '#374151', weight: type === 'regions' ? 1.2 : 0.6, fillOpacity: 0.8 }; },
        onEachFeature: function (f, couche) {
          couche.on('click', function () { ficheAire(type, f.properties); });
        }
      }).addTo(carte);
      coucheAplatType = type;
    }
    coucheAplat.eachLayer(function (couche) {
      var p = couche.feature.properties;
      couche.setStyle({ fillColor: couleurDe(valeurAire(p, ch[p.code])) });
    });
    legende();
  }

  var TITRE_MESURE = { nombre: 'Nombre de PTCE', taux: 'PTCE pour 100 000 habitants',
                       evolution: 'Évolution du nombre de PTCE depuis le recensement précédent' };
  function legende() {
    var box = $('legende');
    box.replaceChildren();
    box.appendChild(el('h2', null, TITRE_MESURE[etat.mesure] + ' (' + NOM_AIRE[etat.aplat] + ')'));
    var ul = el('ul');
    classes.forEach(function (c) {
      var li = el('li');
      li.appendChild(el('span', { class: 'pastille', style: 'background:' + c.couleur, 'aria-hidden': 'true' }));
      li.appendChild(document.createTextNode(c.label));
      ul.appendChild(li);
    });
    box.appendChild(ul);
    if (etat.mesure === 'evolution')
      box.appendChild(el('p', { class: 'aide' }, 'Tous les PTCE des deux recensements, sans les filtres.'));
  }

  /* ---- fiches ------------------------------------------------------------------------------- */

  function ligneFiche(dl, terme, valeur) {
    if (valeur === null || valeur === undefined || valeur === '') valeur = '—';
    dl.appendChild(el('dt', null, terme));
    var dd = el('dd');
    if (valeur instanceof Node) dd.appendChild(valeur); else dd.textContent = String(valeur);
    dl.appendChild(dd);
  }
  /* La fiche prend le focus quand on l'ouvre et le rend à ce qui l'a ouverte quand on la
   * ferme (bouton, Échap) : on ne perd pas sa place au clavier. */
  var retourFocus = null;
  function ouvrirFiche(titre, remplir, focus) {
    var box = $('fiche-contenu');
    box.replaceChildren();
    box.appendChild(el('h2', { id: 'fiche-titre', tabindex: '-1' }, titre));
    remplir(box);
    $('fiche').hidden = false;
    if (focus) {
      if (document.activeElement && document.activeElement !== document.body && !$('fiche').contains(document.activeElement))
        retourFocus = document.activeElement;
      $('fiche-titre').focus();
    }
  }
  function fermerFiche() {
    $('fiche').hidden = true;
    if (etat.ptce) { etat.ptce = ''; ecrireAdresse(); }
    if (retourFocus && document.contains(retourFocus)) retourFocus.focus();
    retourFocus = null;
  }
  function avecCode(nom, code) { return nom ? nom + (code ? ' (' + code + ')' : '') : (code || ''); }

  function fichePtce(x, focus) {
    var p = x.p;
    ouvrirFiche(p.nom || '(sans nom)', function (box) {
      if (p.evolution === 'nouveau') box.appendChild(el('p', { class: 'badge nouveau' }, 'Nouveau depuis le recensement précédent'));
      if (p.evolution === 'disparu') box.appendChild(el('p', { class: 'badge disparu' }, 'Absent du recensement actuel (position du recensement précédent)'));
      var dl = el('dl');
      ligneFiche(dl, 'Commune', avecCode(p.commune, p.insee));
      ligneFiche(dl, 'EPCI', avecCode(p.epci_nom, p.epci));
      ligneFiche(dl, 'Département', avecCode(p.dep_nom, p.dep));
      ligneFiche(dl, 'Région', avecCode(p.reg_nom, p.reg));
      var ul = el('ul', { class: 'liste-secteurs' });
      (p.secteurs || []).forEach(function (id, i) {
        var s = secteurParId[id] || { libelle: id, couleur: '#666666' };
        var li = el('li');
        li.appendChild(el('span', { class: 'pastille', style: 'background:' + s.couleur, 'aria-hidden': 'true' }));
        li.appendChild(document.createTextNode(s.libelle + (i === 0 ? ' (principal)' : '')));
        ul.appendChild(li);
      });
      ligneFiche(dl, 'Secteurs', ul);
      ligneFiche(dl, 'Termes qui les ont décidés', p.termes);
      ligneFiche(dl, 'Membres', p.membres);
      ligneFiche(dl, "Année de l'AMI", p.annee);
      var prec = precisionParId[p.exactitude];
      ligneFiche(dl, 'Précision du placement', (prec ? prec.libelle : p.exactitude) +
                 (p.note ? ' — ' + p.note : ''));
      box.appendChild(dl);
      if (p.description) {
        box.appendChild(el('h3', null, 'Description'));
        box.appendChild(el('p', { class: 'description' }, p.description));
      }
      if (p.id) box.appendChild(el('p', { class: 'aide' }, 'Identifiant : ' + p.id));
    }, focus);
  }

  function ficheAire(type, props) {
    var liste = filtres();
    var ch = chiffresAires(type, liste)[props.code] || { nb: 0, membres: 0, parSecteur: {} };
    ouvrirFiche(avecCode(props.nom, props.code), function (box) {
      var dl = el('dl');
      ligneFiche(dl, 'PTCE affichés (filtres appliqués)', ch.nb);
      ligneFiche(dl, 'PTCE du recensement', props.nb);
      ligneFiche(dl, 'Population', props.population);
      ligneFiche(dl, 'PTCE pour 100 000 habitants', props.population > 0 ? arrondi(ch.nb * 100000 / props.population) : null);
      ligneFiche(dl, 'Membres (PTCE affichés)', ch.membres);
      if (props.prec !== null && props.prec !== undefined) {
        ligneFiche(dl, 'PTCE au recensement précédent', props.prec);
        var d = props.nb - props.prec;
        ligneFiche(dl, 'Évolution', (d > 0 ? '+' : '') + d);
      }
      box.appendChild(dl);
      var ul = el('ul', { class: 'liste-secteurs' });
      secteurs.forEach(function (s) {
        var n = ch.parSecteur[s.id];
        if (!n) return;
        var li = el('li');
        li.appendChild(el('span', { class: 'pastille', style: 'background:' + s.couleur, 'aria-hidden': 'true' }));
        li.appendChild(document.createTextNode(s.libelle + ' : ' + n));
        ul.appendChild(li);
      });
      if (ul.childNodes.length) { box.appendChild(el('h3', null, 'Par secteur principal')); box.appendChild(ul); }
    }, true);
  }

  function choisir(cle, depuisCarte) {
    var x = parCle[cle];
    if (!x) return;
    etat.ptce = cle;
    fichePtce(x, true);
    if (!depuisCarte && etat.vue === 'carte') {
      groupe.zoomToShowLayer(x.marqueur, function () {});
    }
    ecrireAdresse();
  }

  /* ---- filtres : contrôles ------------------------------------------------------------------- */

  var casesSecteurs = {};
  secteurs.forEach(function (s) {
    var li = el('li');
    var lab = el('label');
    var cb = el('input', { type: 'checkbox', value: s.id, 'data-secteur': s.id });
    cb.checked = true;
    cb.addEventListener('change', function () {
      var tous = {};
      secteurs.forEach(function (t) { if (casesSecteurs[t.id].cb.checked) tous[t.id] = true; });
      etat.secteurs = Object.keys(tous).length === secteurs.length ? null : tous;
      rafraichir();
    });
    lab.appendChild(cb);
    lab.appendChild(el('span', { class: 'pastille', style: 'background:' + s.couleur, 'aria-hidden': 'true' }));
    lab.appendChild(el('span', { class: 'libelle' }, s.libelle));
    var compte = el('span', { class: 'nombre', 'data-compte': s.id });
    lab.appendChild(compte);
    li.appendChild(lab);
    $('secteurs').appendChild(li);
    casesSecteurs[s.id] = { cb: cb, compte: compte };
  });
  function tousSecteurs(oui) {
    etat.secteurs = oui ? null : {};
    rafraichir();
  }
  $('secteurs-tous').addEventListener('click', function () { tousSecteurs(true); });
  $('secteurs-aucun').addEventListener('click', function () { tousSecteurs(false); });

  var selAnnee = $('annee');
  selAnnee.addEventListener('change', function () { etat.annee = selAnnee.value; rafraichir(); });
  $('evolution').addEventListener('change', function () { etat.evolution = $('evolution').value; rafraichir(); });
  if (D.evolution) {
    $('bloc-evolution').hidden = false;
    $('mesure-evolution').hidden = false;
    Array.prototype.forEach.call(document.querySelectorAll('.si-evolution'), function (e) { e.hidden = false; });
  }

  Array.prototype.forEach.call(document.querySelectorAll('input[name=aplat]'), function (r) {
    if (r.value !== 'aucun' && !(D.aires && D.aires[r.value])) {
      r.disabled = true;
      r.parentNode.classList.add('indisponible');
      r.parentNode.title = 'Couche absente des données de cette carte';
    }
    r.addEventListener('change', function () { etat.aplat = r.value; rafraichir(); });
  });
  Array.prototype.forEach.call(document.querySelectorAll('input[name=mesure]'), function (r) {
    r.addEventListener('change', function () { etat.mesure = r.value; rafraichir(); });
  });

  var champRecherche = $('recherche');
  var minuterie = null;
  champRecherche.addEventListener('input', function () {
    clearTimeout(minuterie);
    minuterie = setTimeout(function () { etat.q = champRecherche.value.trim(); rafraichir(); }, 120);
  });
  champRecherche.addEventListener('keydown', function (e) {
    if (e.key === 'ArrowDown') {
      var b = $('suggestions').querySelector('button');
      if (b) { b.focus(); e.preventDefault(); }
    } else if (e.key === 'Enter') {
      clearTimeout(minuterie);
      etat.q = champRecherche.value.trim();
      rafraichir();
      var premier = $('suggestions').querySelector('button');
      if (premier) premier.click();
      e.preventDefault();
    }
  });
  $('suggestions').addEventListener('keydown', function (e) {
    var bs = Array.prototype.slice.call($('suggestions').querySelectorAll('button'));
    var i = bs.indexOf(document.activeElement);
    if (i < 0) return;
    if (e.key === 'ArrowDown' && i + 1 < bs.length) { bs[i + 1].focus(); e.preventDefault(); }
    if (e.key === 'ArrowUp') { (i > 0 ? bs[i - 1] : champRecherche).focus(); e.preventDefault(); }
  });

  $('fiche-fermer').addEventListener('click', fermerFiche);
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape' && !$('fiche').hidden) fermerFiche();
  });

  function changerVue(v) {
    etat.vue = v;
    rafraichir();
    if (v === 'carte') carte.invalidateSize();
  }
  $('vue-carte').addEventListener('click', function () { changerVue('carte'); });
  $('vue-liste').addEventListener('click', function () { changerVue('liste'); });

  /* Boutons de territoire, avec le nombre de PTCE affichés de chacun. */
  var boutonsTerritoire = {};
  territoires.forEach(function (t) {
    var li = el('li');
    var b = el('button', { type: 'button', 'data-territoire': t.code });
    b.appendChild(el('span', { class: 'libelle' }, t.nom));
    var n = el('span', { class: 'nombre' });
    b.appendChild(n);
    b.addEventListener('click', function () {
      etat.territoire = t.code;
      if (etat.vue !== 'carte') changerVue('carte');
      montrerTerritoire(t.code, true);
      rafraichir();
    });
    li.appendChild(b);
    $('territoires').appendChild(li);
    boutonsTerritoire[t.code] = { b: b, n: n };
  });

  /* ---- liste ----------------------------------------------------------------------------------- */

  var colonnes = [
    { cle: 'nom', titre: 'Nom', val: function (p) { return p.nom || ''; } },
    { cle: 'commune', titre: 'Commune', val: function (p) { return p.commune || ''; } },
    { cle: 'dep', titre: 'Département', val: function (p) { return avecCode(p.dep_nom, p.dep); } },
    { cle: 'reg', titre: 'Région', val: function (p) { return p.reg_nom || ''; } },
    { cle: 'secteur', titre: 'Secteur principal', val: function (p) { var s = secteurParId[p.secteur]; return s ? s.libelle : p.secteur; } },
    { cle: 'annee', titre: 'Année AMI', num: true, val: function (p) { return p.annee; } },
    { cle: 'membres', titre: 'Membres', num: true, val: function (p) { return p.membres; } },
    { cle: 'exactitude', titre: 'Précision', val: function (p) { var q = precisionParId[p.exactitude]; return (q ? q.libelle : p.exactitude) || ''; } }
  ];
  if (D.evolution) colonnes.push({ cle: 'evolution', titre: 'Évolution', val: function (p) { return p.evolution === 'present' ? 'présent' : p.evolution || ''; } });
  var colParCle = {};
  colonnes.forEach(function (c) { colParCle[c.cle] = c; });
  if (!colParCle[etat.tri]) etat.tri = 'nom';

  var entete = $('tableau-entete');
  colonnes.forEach(function (c) {
    var th = el('th', { scope: 'col', 'data-col': c.cle });
    var b = el('button', { type: 'button' }, c.titre);
    b.appendChild(el('span', { class: 'sens', 'aria-hidden': 'true' }));
    b.addEventListener('click', function () {
      if (etat.tri === c.cle) etat.sens = -etat.sens; else { etat.tri = c.cle; etat.sens = 1; }
      rafraichir();
      var nb = entete.querySelector('th[data-col="' + c.cle + '"] button');
      if (nb) nb.focus();
    });
    th.appendChild(b);
    entete.appendChild(th);
  });
  var collator = new Intl.Collator('fr', { sensitivity: 'base', numeric: true });

  function dessinerListe(liste) {
    var c = colParCle[etat.tri];
    var lignes = liste.slice().sort(function (a, b) {
      var va = c.val(a.p), vb = c.val(b.p), r;
      if (c.num) {
        if (va === null || va === undefined) va = -Infinity;
        if (vb === null || vb === undefined) vb = -Infinity;
        r = va - vb;
      } else r = collator.compare(String(va), String(vb));
      if (!r) r = collator.compare(a.p.nom || '', b.p.nom || '') || (a.p.ligne - b.p.ligne);
      return r * etat.sens;
    });
    Array.prototype.forEach.call(entete.children, function (th) {
      var actif = th.getAttribute('data-col') === etat.tri;
      if (actif) th.setAttribute('aria-sort', etat.sens > 0 ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
      th.querySelector('.sens').textContent = actif ? (etat.sens > 0 ? ' ▲' : ' ▼') : '';
    });
    var corps = $('tableau-corps');
    var frag = document.createDocumentFragment();
    lignes.forEach(function (x, i) {
      var tr = el('tr', { 'data-cle': x.cle, tabindex: i === 0 ? '0' : '-1' });
      if (x.p.evolution === 'disparu') tr.className = 'disparu';
      colonnes.forEach(function (col, j) {
        var v = col.val(x.p);
        var td = el(j === 0 ? 'th' : 'td', j === 0 ? { scope: 'row' } : null);
        if (j === 0) {
          var b = el('button', { type: 'button', class: 'lien', tabindex: '-1' }, v);
          b.addEventListener('click', function () { choisir(x.cle, false); });
          td.appendChild(b);
        } else td.textContent = v === null || v === undefined ? '' : String(v);
        if (col.num) td.className = 'num';
        tr.appendChild(td);
      });
      frag.appendChild(tr);
    });
    corps.replaceChildren(frag);
    $('tableau-titre').textContent = lignes.length + ' PTCE affichés, triés par ' +
      c.titre.toLowerCase() + (etat.sens > 0 ? ' (croissant)' : ' (décroissant)');
  }
  /* Clavier dans le tableau : flèches haut/bas, Début/Fin, Entrée ouvre la fiche. */
  $('tableau-corps').addEventListener('keydown', function (e) {
    var tr = e.target.closest('tr');
    if (!tr) return;
    var cible = null;
    if (e.key === 'ArrowDown') cible = tr.nextElementSibling;
    else if (e.key === 'ArrowUp') cible = tr.previousElementSibling;
    else if (e.key === 'Home') cible = tr.parentNode.firstElementChild;
    else if (e.key === 'End') cible = tr.parentNode.lastElementChild;
    else if (e.key === 'Enter' || e.key === ' ') { choisir(tr.getAttribute('data-cle'), false); e.preventDefault(); return; }
    if (cible) {
      tr.setAttribute('tabindex', '-1');
      cible.setAttribute('tabindex', '0');
      cible.focus();
      e.preventDefault();
    }
  });
  $('tableau-corps').addEventListener('focusin', function (e) {
    var tr = e.target.closest('tr');
    if (!tr) return;
    Array.prototype.forEach.call(this.querySelectorAll('tr[tabindex="0"]'), function (o) { if (o !== tr) o.setAttribute('tabindex', '-1'); });
    tr.setAttribute('tabindex', '0');
  });

  /* ---- tout redessiner depuis l'état ------------------------------------------------------------ */

  var dernierFiltre = null;
  function rafraichir() {
    var liste = filtres();
    var total = ptce.filter(function (x) { return x.p.evolution !== 'disparu'; }).length;
    $('compteur').textContent = liste.length + ' PTCE affichés sur ' + total;
    $('compteur').setAttribute('data-nombre', String(liste.length));

    /* Compteurs par secteur et par année : tous les autres filtres appliqués. */
    var parSecteur = {}, parAnnee = {}, inconnue = 0;
    ptce.forEach(function (x) {
      if (passe(x, 'secteur')) parSecteur[x.p.secteur] = (parSecteur[x.p.secteur] || 0) + 1;
      if (passe(x, 'annee')) { if (x.p.annee) parAnnee[x.p.annee] = (parAnnee[x.p.annee] || 0) + 1; else inconnue++; }
    });
    secteurs.forEach(function (s) {
      var c = casesSecteurs[s.id];
      c.cb.checked = !etat.secteurs || !!etat.secteurs[s.id];
      c.compte.textContent = String(parSecteur[s.id] || 0);
    });
    var opts = [['', 'Toutes les années']];
    listeAnnees.forEach(function (a) { opts.push([String(a), a + ' (' + (parAnnee[a] || 0) + ')']); });
    opts.push(['inconnue', 'Non renseignée (' + inconnue + ')']);
    selAnnee.replaceChildren();
    opts.forEach(function (o) { var op = el('option', { value: o[0] }, o[1]); selAnnee.appendChild(op); });
    selAnnee.value = etat.annee;
    if (selAnnee.value !== etat.annee) { etat.annee = ''; selAnnee.value = ''; }
    $('evolution').value = etat.evolution;
    Array.prototype.forEach.call(document.querySelectorAll('input[name=aplat]'), function (r) { r.checked = r.value === etat.aplat; });
    Array.prototype.forEach.call(document.querySelectorAll('input[name=mesure]'), function (r) { r.checked = r.value === etat.mesure; });
    if (champRecherche.value.trim() !== etat.q && document.activeElement !== champRecherche) champRecherche.value = etat.q;

    /* Territoires. */
    var parTerr = {};
    liste.forEach(function (x) { var t = territoireDe(x); parTerr[t] = (parTerr[t] || 0) + 1; });
    territoires.forEach(function (t) {
      var o = boutonsTerritoire[t.code];
      o.n.textContent = ' ' + (parTerr[t.code] || 0);
      o.b.setAttribute('aria-pressed', String(etat.territoire === t.code));
    });

    /* Suggestions de recherche. */
    var sug = $('suggestions');
    sug.replaceChildren();
    if (etat.q && replier(etat.q)) {
      liste.slice(0, 8).forEach(function (x) {
        var li = el('li');
        var b = el('button', { type: 'button', 'data-cle': x.cle }, x.p.nom + ' — ' + (x.p.commune || ''));
        b.addEventListener('click', function () { choisir(x.cle, false); });
        li.appendChild(b);
        sug.appendChild(li);
      });
      if (!liste.length) sug.appendChild(el('li', { class: 'aide' }, 'Aucun PTCE ne correspond.'));
    }

    /* Carte : ne remplacer les marqueurs que si l'ensemble a changé. */
    var empreinte = liste.map(function (x) { return x.cle; }).join('\n');
    if (empreinte !== dernierFiltre) {
      groupe.clearLayers();
      groupe.addLayers(liste.map(function (x) { return x.marqueur; }));
      dernierFiltre = empreinte;
    }
    dessinerAplat(liste);
    var noteAplat = $('aplat-note');
    noteAplat.hidden = !(D.aires && !D.aires.epci);
    noteAplat.textContent = 'La couche des EPCI n\'est pas dans les données de cette carte.';

    /* Vue. */
    var enListe = etat.vue === 'liste';
    $('panneau-carte').hidden = enListe;
    $('panneau-liste').hidden = !enListe;
    $('vue-carte').setAttribute('aria-pressed', String(!enListe));
    $('vue-liste').setAttribute('aria-pressed', String(enListe));
    if (enListe) dessinerListe(liste);

    if (etat.ptce && parCle[etat.ptce]) { if ($('fiche').hidden || $('fiche-titre').textContent !== parCle[etat.ptce].p.nom) fichePtce(parCle[etat.ptce]); }
    ecrireAdresse();
  }

  /* ---- démarrage --------------------------------------------------------------------------------- */

  $('titre').textContent = D.titre || 'Pôles territoriaux de coopération économique';
  $('sous-titre').textContent = D.sous_titre || '';
  document.title = D.titre || document.title;
  $('credit').textContent = 'Carte produite par ' + (D.logiciel || 'ptce-map') +
    ' avec Leaflet (licence BSD-2) et Leaflet.markercluster (licence MIT). ' + (D.credit || '');

  lireAdresse();
  montrerTerritoire(etat.territoire, false);
  rafraichir();
  if (etat.ptce) choisir(etat.ptce, false);
  /* Une adresse changée à la main (ou le bouton Précédent) : l'état repart de l'adresse.
   * Nos propres mises à jour passent par replaceState et ne déclenchent pas cet événement. */
  window.addEventListener('hashchange', function () {
    etat.secteurs = null; etat.annee = ''; etat.q = ''; etat.evolution = 'actuels';
    etat.aplat = 'aucun'; etat.mesure = 'nombre'; etat.territoire = ''; etat.ptce = ''; etat.vue = 'carte';
    lireAdresse();
    montrerTerritoire(etat.territoire, false);
    rafraichir();
    if (etat.ptce) choisir(etat.ptce, false); else if (!$('fiche').hidden) fermerFiche();
  });
  document.body.setAttribute('data-pret', String(Math.round(performance.now())));
})();
