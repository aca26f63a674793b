// The sharing map: markers for our garden, peers, suggestions and offers from the page's
// JSON (the list beside the map says the same as text). Tiles only when a tile server is set;
// otherwise the markers sit on a plain background with a scale bar.
(function () {
  "use strict";
  var element = document.getElementById("share-map");
  var source = document.getElementById("share-map-data");
  if (!element || !source || typeof L === "undefined") return;
  var data = JSON.parse(source.textContent);
  var map = L.map(element, { scrollWheelZoom: false });
  if (data.tiles.url) {
    L.tileLayer(data.tiles.url, { maxZoom: 19, attribution: data.tiles.attribution }).addTo(map);
  } else {
    element.classList.add("share-map-plain");
  }
  L.control.scale({ imperial: false }).addTo(map);

  var points = [];
  function add(place, kind, text) {
    if (place.latitude === null || place.longitude === null) return;
    var at = [place.latitude, place.longitude];
    points.push(at);
    var marker = L.circleMarker(at, { radius: kind === "offer" ? 6 : 9, className: "marker-" + kind });
    var label = element.dataset["label" + kind.charAt(0).toUpperCase() + kind.slice(1)] || "";
    var popup = document.createElement("div");
    var strong = document.createElement("strong");
    strong.textContent = text;
    popup.appendChild(strong);
    popup.appendChild(document.createElement("br"));
    popup.appendChild(document.createTextNode(label));
    marker.bindPopup(popup).bindTooltip(text).addTo(map);
  }
  add(data.garden, "here", data.garden.name);
  data.peers.forEach(function (peer) { add(peer, "peer", peer.name); });
  data.suggestions.forEach(function (garden) { add(garden, "suggestion", garden.name); });
  data.offers.forEach(function (offer) {
    // Offers of one garden share its place: nudge them apart a little so each can be tapped.
    var nudged = { latitude: offer.latitude, longitude: offer.longitude };
    if (nudged.latitude !== null) {
      nudged.latitude += 0.0004 * ((offer.id % 7) - 3);
      nudged.longitude += 0.0006 * ((offer.id % 5) - 2);
    }
    add(nudged, "offer", offer.crop + " · " + offer.quantity_left + " " + offer.unit + " · " + offer.garden);
  });
  if (points.length > 1) {
    map.fitBounds(points, { padding: [24, 24], maxZoom: 15 });
  } else if (points.length === 1) {
    map.setView(points[0], 13);
  } else {
    map.setView([51.2, 10.4], 5);
  }
})();
