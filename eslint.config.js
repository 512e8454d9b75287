import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.bench/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        AbortController: 'readonly',
        SharedArrayBuffer: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // The CommonJS files: the CLI's entry, the bundle's loader and the bench's measuring
    // preload, CommonJS so that Node's ES module loader is not part of a short command's start-up.
    files: ['bin/eventlite.js', 'scripts/startup/loader.cjs', 'bench/rss-preload.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  // Flat config: for one rule, the last matching block wins, so each block below states the
  // whole of no-restricted-imports and no-restricted-syntax for its files. Imports point
  // inward: cli → app → projections/domain → core; the adapters in src/store implement core's
  // ports, and only they import a database driver; neither backend knows the other. Static
  // imports, import() and require() alike.
  ...restrict('src/core/**/*.ts', {
    patterns: [
      {
        group: ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto'],
        message: 'src/core is pure: no I/O imports.',
      },
      {
        group: ['better-sqlite3', 'pg', 'commander', 'chalk', 'ora', 'cli-table3', 'jiti', 'yaml'],
        message: 'src/core is pure: no libraries with I/O.',
      },
      {
        group: [
          '**/store/**',
          '**/cli/**',
          '**/ui/**',
          '**/projections/**',
          '**/domain/**',
          '**/app/**',
        ],
        message: 'src/core imports nothing outward.',
      },
    ],
    syntax: [
      {
        selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
        message: 'src/core takes time from the edge.',
      },
      {
        selector: "NewExpression[callee.name='Date'][arguments.length=0]",
        message: 'src/core takes time from the edge.',
      },
      {
        selector: "CallExpression[callee.name='randomUUID']",
        message: 'src/core takes ids from the edge.',
      },
    ],
  }),
  ...layer('src/app/**/*.ts', ['**/cli/**', '**/ui/**'], {
    ignores: ['src/app/open.ts'],
    store: true,
  }),
  ...layer('src/app/open.ts', ['**/cli/**', '**/ui/**']),
  // The CLI starts `eventlite ui`'s server; the server (src/ui) is another face of the same
  // layer: it calls app and core, and never a database, the runner or the loader.
  ...layer('src/cli/**/*.ts', ['**/store/**', '**/projections/**', '**/domain/**']),
  ...layer('src/ui/**/*.ts', ['**/cli/**', '**/store/**', '**/projections/**', '**/domain/**']),
  ...layer('src/projections/**/*.ts', [
    '**/cli/**',
    '**/ui/**',
    '**/app/**',
    '**/store/**',
    '**/domain/**',
  ]),
  // The loader hands user modules the authoring API it is given; the package's entries import
  // the use cases, which open the adapters.
  ...layer('src/domain/**/*.ts', [
    '**/cli/**',
    '**/ui/**',
    '**/app/**',
    '**/store/**',
    '**/projections/**',
    '../index.js',
    '../testing.js',
  ]),
  ...layer('src/index.ts', ['**/cli/**', '**/ui/**', '**/store/**']),
  ...layer('src/testing.ts', ['**/cli/**', '**/ui/**', '**/store/**']),
  // The page of `eventlite ui`: browser modules, served as written (its server's CSP lets it
  // load nothing but this server's files).
  {
    files: ['src/ui/page/**/*.js'],
    languageOptions: {
      globals: {
        window: 'readonly',
        document: 'readonly',
        fetch: 'readonly',
        EventSource: 'readonly',
        sessionStorage: 'readonly',
        localStorage: 'readonly',
        history: 'readonly',
        location: 'readonly',
        URLSearchParams: 'readonly',
        AbortController: 'readonly',
        DOMParser: 'readonly',
      },
    },
  },
  ...adapter('sqlite', 'postgres', 'pg'),
  ...adapter('postgres', 'sqlite', 'better-sqlite3'),
);

/**
 * One layer's import rule: none of `forbidden` (folders of ours), and no database driver,
 * not even its types: only the adapters in src/store know SQLite or PostgreSQL. With `store`,
 * the adapters are off limits too (only src/app/open.ts picks one).
 */
function layer(files, forbidden, options = {}) {
  const folders = options.store ? [...forbidden, '**/store/**'] : forbidden;
  return restrict(files, {
    ignores: options.ignores,
    paths: [
      { name: 'better-sqlite3', message: 'Only the adapters in src/store talk to SQLite.' },
      { name: 'pg', message: 'Only the adapters in src/store talk to PostgreSQL.' },
    ],
    patterns: [
      {
        group: folders,
        message: `${files} may not import ${folders.join(', ')}: imports point inward (cli → app → projections/domain → core).`,
      },
    ],
  });
}

/** An adapter implements the ports of src/core: nothing above it, and not the other backend. */
function adapter(name, other, otherDriver) {
  return restrict(`src/store/${name}/**/*.ts`, {
    paths: [{ name: otherDriver, message: `The ${name} adapter does not talk to ${other}.` }],
    patterns: [
      {
        group: ['**/cli/**', '**/ui/**', '**/app/**', '**/projections/**', '**/domain/**'],
        message: 'The adapters implement the ports of src/core and import nothing above it.',
      },
      { group: [`**/${other}/**`], message: "The backends don't know each other." },
    ],
  });
}

/**
 * A config block refusing `paths` and `patterns` as imports, and as import() and require()
 * (which no-restricted-imports does not see) by rules of no-restricted-syntax beside `syntax`.
 * An import() in src names a literal, so that these rules can read it.
 */
function restrict(files, { ignores, paths = [], patterns = [], syntax = [] }) {
  const loads = [
    ...paths.map(({ name, message }) => ({ regex: `^${escape(name)}$`, message })),
    ...patterns.flatMap(({ group, message }) =>
      group.map((glob) => ({ regex: globRegex(glob), message })),
    ),
  ];
  return [
    {
      files: [files],
      ...(ignores && { ignores }),
      rules: {
        'no-restricted-imports': ['error', { paths, patterns }],
        'no-restricted-syntax': [
          'error',
          ...syntax,
          {
            selector: "ImportExpression[source.type!='Literal']",
            message: 'import() takes a string literal, so that the layer rules can check it.',
          },
          ...loads.flatMap(({ regex, message }) => [
            { selector: `ImportExpression[source.value=/${regex}/]`, message },
            {
              selector: `CallExpression:matches([callee.name='require'], [callee.callee.name='createRequire'])[arguments.0.value=/${regex}/]`,
              message,
            },
          ]),
        ],
      },
    },
  ];
}

/**
 * A pattern of no-restricted-imports (`**` any folders, `*` any name) as a regular expression
 * over the whole import text, for a selector: esquery ends a regular expression at the first
 * `/`, so a slash is written \x2F.
 */
function globRegex(glob) {
  const SLASH = '\\x2F';
  const start = glob.startsWith('**/') ? `(^|${SLASH})` : '^';
  const end = glob.endsWith('/**') ? SLASH : '$';
  const middle = glob
    .replace(/^\*\*\//, '')
    .replace(/\/\*\*$/, '')
    .split('/')
    .map((part) => escape(part).replaceAll('\\*', '[^\\x2F]*'))
    .join(SLASH);
  return `${start}${middle}${end}`;
}

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
