// The start-up half of `npm run build`, after tsc has written dist/ (see README.md): the
// bundle and its loader, the saved help texts, then the code cache, which runs the bundled CLI
// and so comes last.
await import('./bundle.mjs');
await import('./help-texts.mjs');
await import('./code-cache.mjs');
