// NHS.UK frontend's feature check, run at the top of <body> as its documentation asks: the
// components' styles and scripts (web/static/app.mjs runs initAll) apply only in a browser that
// runs ES modules. A file, not the documented inline snippet, because the Content-Security-Policy
// allows scripts from this site only.
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " nhsuk-frontend-supported" : "");
