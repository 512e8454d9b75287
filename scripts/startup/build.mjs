// The start-up half of `npm run build`, after tsc has written dist/ (see README.md): the
// bundle and its loader, the saved help texts, then the code cache, which runs the bundled CLI
// and so comes last. First, not a start-up piece but built by the same two callers (npm run
// build and the tests' setup): the page of `eventlite ui`, copied into dist/ for the package.
await import('../ui-page.mjs');
await import('./bundle.mjs');
await import('./help-texts.mjs');
await import('./code-cache.mjs');
