// Server data written into the page is text, never HTML (R22.1). Leaflet's bindTooltip and
// bindPopup read a string as HTML, so the maps hand them an element whose text is set with
// textContent: a grid named "<img src=x onerror=…>" shows those characters and runs nothing.
(function () {
  "use strict";

  // An element holding text: GridgovText.el("a grid name"), GridgovText.el("…", "span", "cls").
  function el(text, tag, className) {
    var node = document.createElement(tag || "span");
    if (className) node.className = className;
    node.textContent = text === null || text === undefined ? "" : String(text);
    return node;
  }

  // Several pieces of text joined by a separator, in one element (a tooltip's label).
  function join(pieces, separator) {
    return el(pieces.filter(function (p) { return p !== null && p !== undefined && p !== ""; })
      .join(separator === undefined ? " " : separator));
  }

  window.GridgovText = { el: el, join: join };
})();
