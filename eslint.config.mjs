// ESLint for the TypeScript workspaces (grafana-plugins lints with its own create-plugin config).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import noImportCycle from './scripts/eslint-no-import-cycle.mjs';

/** Workspaces import each other through package entry points only (each package.json's exports map). */
const PACKAGE_INTERNALS = {
  group: ['@plumbline/*/dist', '@plumbline/*/dist/*', '@plumbline/*/src', '@plumbline/*/src/*'],
  message:
    "Import the workspace by its package name or a subpath its package.json exports (e.g. '@plumbline/exporter/retrain'), never its dist/ or src/.",
};

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/coverage/**',
      'grafana-plugins/**',
      'test-artifacts/**',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { project: ['./tsconfig.lint.json'], tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX, plumbline: { rules: { 'no-import-cycle': noImportCycle } } },
    settings: {
      'import-x/resolver-next': [
        createNodeResolver({ extensions: ['.ts', '.tsx', '.d.ts', '.js', '.json'] }),
      ],
    },
    rules: {
      // A forgotten promise is a lost event.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
      // Package boundaries: no relative import into another workspace, no deep import into one, no cycles.
      'import-x/no-relative-packages': 'error',
      'no-restricted-imports': ['error', { patterns: [PACKAGE_INTERNALS] }],
      'plumbline/no-import-cycle': 'error',
    },
  },
);
