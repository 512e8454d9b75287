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
              group: ['better-sqlite3', 'commander', 'chalk', 'ora', 'cli-table3', 'jiti', 'yaml'],
              message: 'src/core is pure: no libraries with I/O.',
            },
            {
              group: ['**/store/**', '**/cli/**', '**/projections/**', '**/domain/**'],
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
  // whole of no-restricted-imports for its files.
  {
    // Imports point inward: nothing outside the CLI may reach into it, and only src/store
    // opens SQLite connections (the runner may name better-sqlite3's types).
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**', 'src/store/**', 'src/core/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'better-sqlite3',
              message: 'Open connections through src/store.',
              allowTypeImports: true,
            },
          ],
          patterns: [{ group: ['**/cli/**', '**/cli/*.js'], message: 'Nothing imports src/cli.' }],
        },
      ],
    },
  },
  {
    files: ['src/store/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/cli/**', '**/cli/*.js'], message: 'Nothing imports src/cli.' },
            {
              group: ['**/projections/**', '**/domain/**'],
              message: 'The store is below the runner and the domain loader.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'better-sqlite3', message: 'Only src/store talks to SQLite.' }] },
      ],
    },
  },
);
