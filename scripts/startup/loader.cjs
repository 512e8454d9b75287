'use strict';
// The loader of the bundled CLI, copied by bundle.mjs to dist/bundle/eventlite.cjs, the file
// bin/eventlite.js requires (see README.md). Each chunk is compiled as Node compiles a CommonJS
// module, with a require that finds the other chunks by name and everything else (Node's
// built-ins, better-sqlite3, pg, yaml) as Node's own require does from this folder. A chunk's
// import() (of pg, yaml, or a domain module) is Node's, as in any CommonJS module. On a Node
// without vm's USE_MAIN_CONTEXT_DEFAULT_LOADER, Node's own require loads the chunks.
const { readFileSync } = require('node:fs');
const vm = require('node:vm');
const dynamicImport = vm.constants && vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER;
const folderUrl = require('node:url').pathToFileURL(__dirname).href;
const loaded = new Map();
// Set by code-cache.mjs: each chunk compiled without a cache gets one, written as the
// process exits, with every function this run compiled.
const writeCache = process.env.EVENTLITE_WRITE_CODE_CACHE === '1';
const compiled = [];
if (writeCache)
  process.on('exit', () => {
    const fs = require('node:fs');
    for (const [filename, script] of compiled) {
      // Whole or not at all: a command starting meanwhile reads the old file or the new one.
      const temporary = `${filename}.cache.${process.pid}`;
      fs.writeFileSync(temporary, script.createCachedData());
      fs.renameSync(temporary, `${filename}.cache`);
    }
  });
const chunkRequire = Object.assign(
  (id) => (id.startsWith('./chunk-') ? load(id.slice(2)) : require(id)),
  { resolve: require.resolve, cache: require.cache, main: require.main },
);
function load(name) {
  const known = loaded.get(name);
  if (known) return known.exports;
  const filename = `${__dirname}/${name}`;
  if (dynamicImport === undefined) return require(filename);
  const module = { exports: {} };
  loaded.set(name, module);
  const wrapped =
    '(function (exports, require, module, __filename, __dirname, __eventliteUrl) {' +
    readFileSync(filename, 'utf8') +
    '\n})';
  let cachedData;
  try {
    cachedData = readFileSync(`${filename}.cache`);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(wrapped, {
    filename,
    cachedData,
    importModuleDynamically: dynamicImport,
  });
  if (writeCache && (cachedData === undefined || script.cachedDataRejected))
    compiled.push([filename, script]);
  script
    .runInThisContext()
    .call(
      module.exports,
      module.exports,
      chunkRequire,
      module,
      filename,
      __dirname,
      `${folderUrl}/${name}`,
    );
  return module.exports;
}
module.exports = load('main.cjs');
