// Lint rules, including the import direction: pure folders never import `vscode` or adapter folders.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ADAPTER_FOLDERS = ['**/infra/**', '**/views/**', '**/commands/**', '**/device/**', '**/hunting/**', '**/kqlClient/**', '**/sessions/**', '**/fleet/**', '**/extension'];
const PURE_FOLDERS = ['src/core/**', 'src/defender/**', 'src/powershell/**', 'src/api/**', 'src/kql/**', 'src/webview-ui/**'];

export default tseslint.config(
  {
    ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', 'test-results/**', '**/*.d.mts', 'test/fixtures/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { project: false } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-require-imports': 'off',
      eqeqeq: ['error', 'smart'],
      'no-console': 'off',
    },
  },
  {
    files: PURE_FOLDERS,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'Pure module: no vscode import (see CONTRIBUTING.md). Put VS Code code in an adapter folder.' }],
          patterns: [{ group: ADAPTER_FOLDERS, message: 'Imports point inward only: a pure module cannot import an adapter.' }],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly', URL: 'readonly', URLSearchParams: 'readonly', __dirname: 'readonly', require: 'writable', module: 'writable', performance: 'readonly', fetch: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', AbortController: 'readonly' },
    },
  },
);
