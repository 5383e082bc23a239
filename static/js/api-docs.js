// The open API's documentation page (cooperation/api/views.py ApiDocsView): Swagger UI, read-only,
// on the schema whose address the page gives in data-schema-url. A file, not an inline script, so
// the Content-Security-Policy holds; no validator badge (it would call a server elsewhere).
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.ui = window.SwaggerUIBundle({
    url: root.getAttribute("data-schema-url"),
    domNode: root,
    deepLinking: true,
    validatorUrl: null,
    supportedSubmitMethods: ["get", "head"],
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
})();
