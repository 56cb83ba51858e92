/* The observatory's site: a perimeter and a year chosen (the address keeps them:
   #ANNEE/PERIMETRE), the view's data file loaded as a script, its figures drawn by
   Vega-Lite. Everything is read inside the site's folder; nothing else is requested. */
(function () {
  "use strict";
  var FORMAT = { decimal: ",", thousands: "\u202f", grouping: [3], currency: ["", "\u00a0€"], minus: "\u2212" };
  var state = { index: null, geo: {}, geoLoaded: false, geoWaiting: [], views: {}, year: null, perimeter: null,
    pending: {} };
  var observer = null;

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function script(path) {
    var node = element("script", { src: path });
    node.onerror = function () { status("Données introuvables : " + path); };
    document.body.appendChild(node);
  }

  function status(text) { document.getElementById("etat").textContent = text; }

  function yearEntry(year) {
    return state.index.annees.filter(function (entry) { return String(entry.annee) === String(year); })[0];
  }

  function label(code) {
    var found = state.index.perimetres.filter(function (p) { return p[0] === code; })[0];
    return found ? found[1] : code;
  }

  function fromAddress() {
    var parts = decodeURIComponent(window.location.hash.replace(/^#/, "")).split("/");
    var years = state.index.annees;
    var entry = yearEntry(parts[0]) || years[years.length - 1];
    var perimeter = entry.perimetres.indexOf(parts[1]) >= 0 ? parts[1] : entry.perimetres[0];
    return { year: String(entry.annee), perimeter: perimeter };
  }

  function fillSelects() {
    var years = document.getElementById("annee"), perimeters = document.getElementById("perimetre");
    years.innerHTML = "";
    state.index.annees.forEach(function (entry) {
      var option = element("option", { value: String(entry.annee) }, String(entry.annee));
      option.selected = String(entry.annee) === state.year;
      years.appendChild(option);
    });
    perimeters.innerHTML = "";
    yearEntry(state.year).perimetres.forEach(function (code) {
      var option = element("option", { value: code }, code === "region" ? label(code) : label(code) + " (" + code + ")");
      option.selected = code === state.perimeter;
      perimeters.appendChild(option);
    });
  }

  function choose() {
    var year = document.getElementById("annee").value, perimeter = document.getElementById("perimetre").value;
    window.location.hash = year + "/" + perimeter;
  }

  function show() {
    var chosen = fromAddress();
    state.year = chosen.year;
    state.perimeter = chosen.perimeter;
    fillSelects();
    var key = state.year + "/" + state.perimeter;
    if (window.location.hash !== "#" + key) { window.history.replaceState(null, "", "#" + key); }
    if (state.views[key]) { render(state.views[key]); return; }
    status("Chargement…");
    if (!state.pending[key]) { state.pending[key] = true; script("donnees/" + key + ".js"); }
  }

  function csvCell(text) { return /[";\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text; }

  function tableOf(figure, caption) {
    var details = element("details"), table = element("table");
    details.appendChild(element("summary", {}, "Tableau de données"));
    table.appendChild(element("caption", { class: "evitement-visuel" }, caption));
    var head = element("tr");
    figure.colonnes.forEach(function (name) { head.appendChild(element("th", { scope: "col" }, name)); });
    var thead = element("thead"); thead.appendChild(head); table.appendChild(thead);
    var body = element("tbody");
    figure.lignes.forEach(function (line) {
      var row = element("tr");
      line.forEach(function (cell, i) {
        row.appendChild(i === 0 ? element("th", { scope: "row" }, cell) : element("td", { class: "nombre" }, cell));
      });
      body.appendChild(row);
    });
    table.appendChild(body);
    details.appendChild(table);
    var lines = [figure.colonnes].concat(figure.lignes).map(function (line) { return line.map(csvCell).join(";"); });
    var link = element("a", { class: "telecharger", download: figure.id + "-" + state.perimeter + "-" + state.year + ".csv",
      href: "data:text/csv;charset=utf-8," + encodeURIComponent("\ufeff" + lines.join("\r\n") + "\r\n") },
      "Télécharger les données (CSV)");
    var wrapper = element("div");
    wrapper.appendChild(details);
    wrapper.appendChild(link);
    return wrapper;
  }

  function draw(container, spec) {
    var copy = JSON.parse(JSON.stringify(spec));
    if (copy.usermeta && copy.usermeta.aires) {  // a map: its outlines come from geo.js, loaded meanwhile
      if (!state.geoLoaded) { state.geoWaiting.push(function () { draw(container, spec); }); return; }
      copy.datasets = { aires: copy.usermeta.aires.map(function (code) { return state.geo[code]; })
        .filter(Boolean) };
    }
    vegaEmbed(container, copy, { actions: false, renderer: "svg", formatLocale: FORMAT, config: state.index.config,
      tooltip: { theme: "light" } }).then(function (result) {
      var svg = container.querySelector("svg");
      if (svg) { svg.setAttribute("role", "img"); svg.setAttribute("aria-label", spec.description || ""); }
      container.setAttribute("data-rendu", "oui");
      return result;
    }).catch(function (error) { container.textContent = "Graphique indisponible : " + error.message; });
  }

  function figureOf(figure, level) {
    var block = element("section", { class: "figure", id: "figure-" + figure.id, "aria-labelledby": "t-" + figure.id });
    block.appendChild(element(level, { id: "t-" + figure.id }, figure.titre));
    if (figure.vega) {
      var container = element("div", { class: "graphique", "data-figure": figure.id });
      block.appendChild(container);
      container._spec = figure.vega;
      if (observer) { observer.observe(container); } else { draw(container, figure.vega); }
    } else {
      block.appendChild(element("p", { class: "refus" }, "Graphique non représenté : valeurs non publiées (secret statistique) ; voir le tableau."));
    }
    block.appendChild(tableOf(figure, figure.titre));
    return block;
  }

  function render(view) {
    if (String(view.annee) !== state.year || view.perimetre !== state.perimeter) { return; }
    document.title = "Clauses sociales " + view.annee + " : " + view.libelle;
    document.getElementById("titre").textContent = "Clauses sociales " + view.annee + " : " + view.libelle;
    var figures = document.getElementById("chiffres");
    figures.innerHTML = "";
    view.chiffres.forEach(function (figure) {
      var item = element("li", { "data-indicateur": figure.code });
      item.appendChild(element("span", { class: "libelle" }, figure.libelle));
      item.appendChild(element("span", { class: "valeur" }, figure.texte));
      if (figure.evolution_texte) {
        item.appendChild(element("span", { class: "evolution" }, figure.evolution_texte + " sur un an"));
      }
      figures.appendChild(item);
    });
    if (observer) { observer.disconnect(); }
    ["cartes", "graphiques", "serie"].forEach(function (id) { document.getElementById(id).innerHTML = ""; });
    document.getElementById("section-cartes").hidden = !view.cartes.length;
    view.cartes.forEach(function (figure) { document.getElementById("cartes").appendChild(figureOf(figure, "h3")); });
    view.graphiques.forEach(function (figure) { document.getElementById("graphiques").appendChild(figureOf(figure, "h3")); });
    var serie = document.getElementById("serie");
    document.getElementById("section-serie").hidden = !view.serie;
    if (view.serie) {
      view.serie.graphiques.forEach(function (spec, i) {
        var container = element("div", { class: "graphique", "data-figure": "serie-" + i });
        serie.appendChild(element("h3", {}, spec.title || spec.description));
        var copy = JSON.parse(JSON.stringify(spec)); delete copy.title;
        serie.appendChild(container);
        container._spec = copy;
        if (observer) { observer.observe(container); } else { draw(container, copy); }
      });
      serie.appendChild(tableOf({ id: "serie", colonnes: view.serie.colonnes, lignes: view.serie.lignes },
        "Chiffres clés par année"));
    }
    var links = document.getElementById("publications");
    links.innerHTML = "";
    yearEntry(state.year).publications.forEach(function (publication) {
      var item = element("li");
      item.appendChild(element("a", { href: publication.lien }, publication.libelle + " " + view.annee));
      links.appendChild(item);
    });
    var plural = function (n, word) { return n + " " + word + (n > 1 ? "s" : ""); };
    status(view.libelle + ", " + view.annee + " : " + plural(view.graphiques.length, "graphique") + ", "
      + plural(view.cartes.length, "carte") + ".");
  }

  function drawAll() {  // before printing: every chart not yet drawn (they are drawn when scrolled to)
    Array.prototype.forEach.call(document.querySelectorAll(".graphique"), function (container) {
      if (container._spec) {
        if (observer) { observer.unobserve(container); }
        draw(container, container._spec);
        container._spec = null;
      }
    });
  }

  window.addEventListener("beforeprint", drawAll);

  window.panoramaSite = {
    toutDessiner: drawAll,
    index: function (data) {
      state.index = data;
      document.getElementById("observatoire").textContent = data.observatoire + " – " + data.region;
      if ("IntersectionObserver" in window) {
        observer = new IntersectionObserver(function (entries) {
          entries.forEach(function (entry) {
            if (entry.isIntersecting && entry.target._spec) {
              observer.unobserve(entry.target);
              draw(entry.target, entry.target._spec);
              entry.target._spec = null;
            }
          });
        }, { rootMargin: "400px 0px" });
      }
      document.getElementById("annee").addEventListener("change", choose);
      document.getElementById("perimetre").addEventListener("change", choose);
      window.addEventListener("hashchange", show);
      show();
      script("donnees/geo.js");
    },
    geo: function (features) {
      features.forEach(function (feature) { state.geo[feature.properties.code] = feature; });
      state.geoLoaded = true;
      state.geoWaiting.splice(0).forEach(function (waiting) { waiting(); });
    },
    vue: function (view) {
      state.views[view.annee + "/" + view.perimetre] = view;
      render(view);
    }
  };
})();
