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
    // The two CommonJS files: the CLI's entry and the bench's measuring preload, CommonJS so
    // that Node's ES module loader is not part of a short command's start-up.
    files: ['bin/eventlite.js', 'bench/rss-preload.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The core is pure: no I/O, no clock, no random ids.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto'],
              message: 'src/core is pure: no I/O imports.',
            },
            {
              group: [
                'better-sqlite3',
                'pg',
                'commander',
                'chalk',
                'ora',
                'cli-table3',
                'jiti',
                'yaml',
              ],
              message: 'src/core is pure: no libraries with I/O.',
            },
            {
              group: ['**/store/**', '**/cli/**', '**/projections/**', '**/domain/**', '**/app/**'],
              message: 'src/core imports nothing outward.',
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
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
    },
  },
  // Flat config: for one rule, the last matching block wins, so each block below states the
  // whole of no-restricted-imports for its files. Imports point inward:
  // cli → app → projections/domain → core; the adapters in src/store implement core's ports,
  // and only they import a database driver.
  ...layer('src/app/**/*.ts', ['**/cli/**'], { ignores: ['src/app/open.ts'], store: true }),
  ...layer('src/app/open.ts', ['**/cli/**']),
  ...layer('src/cli/**/*.ts', ['**/store/**', '**/projections/**', '**/domain/**']),
  ...layer('src/projections/**/*.ts', ['**/cli/**', '**/app/**', '**/store/**', '**/domain/**']),
  ...layer('src/domain/**/*.ts', ['**/cli/**', '**/app/**', '**/store/**', '**/projections/**']),
  ...layer('src/index.ts', ['**/cli/**', '**/store/**']),
  ...layer('src/testing.ts', ['**/cli/**', '**/store/**']),
  {
    files: ['src/store/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/cli/**', '**/app/**', '**/projections/**', '**/domain/**'],
              message: 'The adapters implement the ports of src/core and import nothing above it.',
            },
          ],
        },
      ],
    },
  },
);

/**
 * One layer's import rule: none of `forbidden` (folders of ours), and no database driver,
 * not even its types: only the adapters in src/store know SQLite or PostgreSQL. With `store`,
 * the adapters are off limits too (only src/app/open.ts picks one).
 */
function layer(files, forbidden, options = {}) {
  const folders = options.store ? [...forbidden, '**/store/**'] : forbidden;
  return [
    {
      files: [files],
      ...(options.ignores && { ignores: options.ignores }),
      rules: {
        'no-restricted-imports': [
          'error',
          {
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
          },
        ],
      },
    },
  ];
}
