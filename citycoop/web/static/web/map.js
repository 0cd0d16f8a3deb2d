/* The map of the cooperation (web/map.html): Leaflet over a vendored world, no tiles, no CDN.
 *
 * Everything it loads comes from this site: the countries from world-atlas TopoJSON under
 * static/, the pairings and places from the map's data URL (GeoJSON, arcs already computed and
 * unwrapped across the antimeridian on the server). The filter form works without this script;
 * with it, a change redraws the map and swaps the table below it in place.
 */
(function () {
  "use strict";

  const container = document.getElementById("coop-map");
  if (!container || !window.L || !window.topojson) {
    return;
  }
  const form = document.getElementById("map-filters");
  const statusLine = document.getElementById("map-status");

  // A little wider than ±180°: the server may unwrap an arc past the antimeridian.
  const WORLD = L.latLngBounds([-60, -200], [84, 200]);
  const ARC_WEIGHT = 2.5;
  const DOT_MIN_RADIUS = 3;
  const DOT_EXTRA_RADIUS = 9;

  const map = L.map(container, {
    worldCopyJump: false,
    maxBounds: WORLD,
    maxBoundsViscosity: 0.9,
    minZoom: 1,
    maxZoom: 8,
    zoomSnap: 0.5,
  });
  map.fitBounds(WORLD);

  // Separate panes keep the drawing order whatever arrives first: countries at the bottom,
  // arcs above them (the default overlay pane), places above the arcs.
  map.createPane("countries").style.zIndex = "250";
  map.createPane("places").style.zIndex = "450";

  const arcLayer = L.layerGroup().addTo(map);
  const arrowLayer = L.layerGroup().addTo(map);
  const placeLayer = L.layerGroup().addTo(map);

  function say(message) {
    if (statusLine) {
      statusLine.textContent = message || "";
    }
  }

  /* A tooltip built from text nodes, so names from the database are never read as HTML. */
  function tooltip(title, lines) {
    const box = document.createElement("div");
    box.className = "map-tip";
    const heading = document.createElement("strong");
    heading.textContent = title;
    box.appendChild(heading);
    (lines || []).forEach(function (line) {
      const row = document.createElement("span");
      row.textContent = line;
      box.appendChild(row);
    });
    return box;
  }

  function openOnClick(layer, url) {
    layer.on("click", function () {
      window.location.assign(url);
    });
  }

  function toLatLngs(coordinates) {
    return coordinates.map(function (point) {
      return L.latLng(point[1], point[0]);
    });
  }

  /* An arrowhead halfway along the arc: at the end it would hide under the partner's dot.
   * Mercator keeps angles, so the direction measured at zoom 0 holds at every zoom. */
  function arrowFor(latlngs, groupKey) {
    const middle = Math.floor(latlngs.length / 2);
    const before = map.project(latlngs[Math.max(middle - 1, 0)], 0);
    const after = map.project(latlngs[Math.min(middle + 1, latlngs.length - 1)], 0);
    const angle = Math.atan2(after.y - before.y, after.x - before.x) * 180 / Math.PI;
    const head = document.createElement("span");
    head.style.transform = "rotate(" + angle.toFixed(1) + "deg)";
    const icon = L.divIcon({
      className: "map-arrow group-" + groupKey,
      html: head,
      iconSize: [12, 12],
      iconAnchor: [6, 6],
    });
    return L.marker(latlngs[middle], { icon: icon, interactive: false, keyboard: false });
  }

  function drawArc(feature, bounds) {
    const p = feature.properties;
    const latlngs = toLatLngs(feature.geometry.coordinates);
    const line = L.polyline(latlngs, {
      className: "map-arc group-" + p.group_key,
      weight: ARC_WEIGHT,
      bubblingMouseEvents: false,
    });
    line.bindTooltip(tooltip(p.label, [p.from + " → " + p.to].concat(p.facts)), { sticky: true });
    openOnClick(line, p.url);
    line.on("mouseover", function () {
      line.getElement().classList.add("is-active");
      line.bringToFront();
    });
    line.on("mouseout", function () {
      line.getElement().classList.remove("is-active");
    });
    line.addTo(arcLayer);
    // Lets tests and style sheets find one pairing's arcs.
    line.getElement().setAttribute("data-pairing", p.pairing);
    arrowFor(latlngs, p.group_key).addTo(arrowLayer);
    bounds.extend(line.getBounds());
  }

  /* Dot area grows with activity (radius with its square root), so a place with four times
   * the actions looks four times as big, not sixteen. */
  function drawPlace(feature, maxActivity, bounds) {
    const p = feature.properties;
    const latlng = L.latLng(feature.geometry.coordinates[1], feature.geometry.coordinates[0]);
    const radius = DOT_MIN_RADIUS + DOT_EXTRA_RADIUS * Math.sqrt((p.activity || 0) / maxActivity);
    const dot = L.circleMarker(latlng, {
      pane: "places",
      radius: radius,
      className: "map-place side-" + p.side,
      bubblingMouseEvents: false,
    });
    const title = p.local_name ? p.name + " · " + p.local_name : p.name;
    dot.bindTooltip(tooltip(title, p.facts), { direction: "top" });
    openOnClick(dot, p.url);
    dot.addTo(placeLayer);
    dot.getElement().setAttribute("data-place", p.slug);
    bounds.extend(latlng);
  }

  /* Cities with good practices and with open needs: small squares and diamonds beside the
   * dots (CSS shapes them), so they read as a different layer from the pairings' places. */
  function drawMarker(feature, bounds) {
    const p = feature.properties;
    const latlng = L.latLng(feature.geometry.coordinates[1], feature.geometry.coordinates[0]);
    const marker = L.marker(latlng, {
      pane: "places",
      icon: L.divIcon({ className: "map-" + p.kind, iconSize: [12, 12] }),
      keyboard: true,
      title: p.name,
      bubblingMouseEvents: false,
    });
    marker.bindTooltip(tooltip(p.name, p.facts), { direction: "top" });
    openOnClick(marker, p.url);
    marker.addTo(placeLayer);
    marker.getElement().setAttribute("data-" + p.kind, p.slug);
    bounds.extend(latlng);
  }

  function draw(collection) {
    arcLayer.clearLayers();
    arrowLayer.clearLayers();
    placeLayer.clearLayers();
    const features = collection.features || [];
    const arcs = features.filter(function (f) { return f.properties.kind === "pairing"; });
    const places = features.filter(function (f) { return f.properties.kind === "place"; });
    const bounds = L.latLngBounds([]);
    arcs.forEach(function (feature) { drawArc(feature, bounds); });
    const maxActivity = Math.max(1, ...places.map(function (f) { return f.properties.activity || 0; }));
    places.forEach(function (feature) { drawPlace(feature, maxActivity, bounds); });
    features.filter(function (f) {
      return f.properties.kind === "practice" || f.properties.kind === "need";
    }).forEach(function (feature) { drawMarker(feature, bounds); });
    if (bounds.isValid()) {
      // No animation: the new view is there at once, for people who dislike motion, and for
      // anyone (or any test) reading the map right after the redraw.
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 6, animate: false });
    }
    container.setAttribute("data-arcs", String(arcs.length));
    say(arcs.length || places.length ? "" : container.dataset.empty);
  }

  /* world-atlas keeps the sphere's topology: a ring that crosses the antimeridian (Russia, Fiji,
   * Antarctica) jumps from +180° to -180°, which a flat map draws as a streak across the
   * world. So each ring is unwrapped, a ring around a pole is closed through the pole, and a
   * polygon that now spills past ±180° is drawn a second time on the other side. */
  function unwrapRing(ring) {
    const out = [];
    let shift = 0;
    ring.forEach(function (point) {
      if (out.length) {
        const step = point[0] + shift - out[out.length - 1][0];
        if (step > 180) {
          shift -= 360;
        } else if (step < -180) {
          shift += 360;
        }
      }
      out.push([point[0] + shift, point[1]]);
    });
    const first = out[0];
    const last = out[out.length - 1];
    if (out.length && Math.abs(last[0] - first[0]) > 180) {
      const pole = first[1] < 0 ? -90 : 90;
      out.push([last[0], pole], [first[0], pole], first);
    }
    return out;
  }

  function shifted(rings, degrees) {
    return rings.map(function (ring) {
      return ring.map(function (point) { return [point[0] + degrees, point[1]]; });
    });
  }

  function flatPolygons(polygon) {
    const outer = unwrapRing(polygon[0]);
    // Holes follow their outer ring to the same side of the antimeridian.
    const holes = polygon.slice(1).map(function (ring) {
      const hole = unwrapRing(ring);
      return shifted([hole], 360 * Math.round((outer[0][0] - hole[0][0]) / 360))[0];
    });
    const rings = [outer].concat(holes);
    const longitudes = outer.map(function (point) { return point[0]; });
    const copies = [rings];
    if (Math.max.apply(null, longitudes) > 180) {
      copies.push(shifted(rings, -360));
    }
    if (Math.min.apply(null, longitudes) < -180) {
      copies.push(shifted(rings, 360));
    }
    return copies;
  }

  function flatGeometry(geometry) {
    if (!geometry || (geometry.type !== "Polygon" && geometry.type !== "MultiPolygon")) {
      return geometry;
    }
    const polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
    return { type: "MultiPolygon", coordinates: [].concat.apply([], polygons.map(flatPolygons)) };
  }

  function drawCountries(world) {
    const countries = topojson.feature(world, world.objects.countries);
    countries.features.forEach(function (feature) {
      feature.geometry = flatGeometry(feature.geometry);
    });
    L.geoJSON(countries, {
      pane: "countries",
      className: "map-country",
      interactive: false,
      attribution: "Natural Earth",
    }).addTo(map);
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(url + " answered " + response.status);
        }
        return response.json();
      });
  }

  /* The page's table and legend for the same filters, taken from the server's own rendering
   * so that the list stays exactly what a visitor without JavaScript would see. */
  function swapResults(query) {
    return fetch(window.location.pathname + query, { credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        const fresh = new DOMParser().parseFromString(html, "text/html")
          .getElementById("map-results");
        const current = document.getElementById("map-results");
        if (fresh && current) {
          current.replaceWith(fresh);
        }
      });
  }

  function currentQuery() {
    const params = new URLSearchParams();
    if (form) {
      new FormData(form).forEach(function (value, name) {
        if (value) {
          params.append(name, value);
        }
      });
    }
    const text = params.toString();
    return text ? "?" + text : "";
  }

  let latest = 0;

  function refresh(withTable) {
    const ticket = ++latest;
    const query = currentQuery();
    return Promise.all([
      getJSON(container.dataset.url + query),
      withTable ? swapResults(query) : null,
    ]).then(function (results) {
      if (ticket === latest) {
        draw(results[0]);
      }
    }).catch(function (error) {
      if (ticket === latest) {
        say(container.dataset.failed);
      }
      console.error(error);
    });
  }

  function onFiltersChanged(event) {
    if (event.type === "submit") {
      event.preventDefault();
    }
    window.history.replaceState(null, "", window.location.pathname + currentQuery());
    refresh(true);
  }

  if (form) {
    form.addEventListener("change", onFiltersChanged);
    form.addEventListener("submit", onFiltersChanged);
  }

  getJSON(container.dataset.world).then(drawCountries).catch(function (error) {
    say(container.dataset.failed);
    console.error(error);
  });
  refresh(false);
})();
