// Lint is part of `npm test`. Rules are errors or off; the boundary rules below keep the
// layers of docs/architecture.md honest (no Electron in the core, no main-process code in the UI).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import vue from 'eslint-plugin-vue';
import globals from 'globals';

const restrict = (patterns, allowTypeImports = false) => ({
  '@typescript-eslint/no-restricted-imports': ['error', { patterns: patterns.map((p) => ({ ...p, allowTypeImports })) }],
});

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'release/', 'coverage/', 'e2e/artifacts/', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  ...vue.configs['flat/recommended'],
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: ['.vue'],
        parser: tseslint.parser,
      },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-confusing-void-expression': 'off',
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-invalid-void-type': 'off',
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/html-indent': 'off',
      'vue/html-closing-bracket-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
    },
  },
  {
    files: ['**/*.js', 'eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['src/renderer/**/*.{ts,vue}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['**/*.test.ts', 'e2e/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  // Layer boundaries.
  {
    files: ['src/shared/**/*.ts'],
    rules: restrict([
      { group: ['electron', 'node:*', 'ws', 'better-sqlite3*', 'pino', 'vue', 'pinia'], message: 'src/shared is pure: no I/O, no Node, no UI.' },
      { group: ['**/main/**', '**/renderer/**', '**/server/**', '**/phone/**', '**/web-host/**', '**/preload/**'], message: 'src/shared imports nothing of ours outside src/shared.' },
    ]),
  },
  {
    files: ['src/main/core/**/*.ts'],
    rules: restrict([
      { group: ['electron', 'electron/*'], message: 'The core is plain Node; Electron-only features sit behind interfaces in src/main/electron.' },
      { group: ['**/renderer/**', '**/electron/**', '**/web-host/**', '../../server/**', '**/phone/**'], message: 'The core depends only on src/shared and libraries.' },
    ]),
  },
  {
    files: ['src/renderer/**/*.{ts,vue}'],
    rules: restrict(
      [
        { group: ['electron', 'node:*', '**/main/**', '**/server/**', '**/phone/**', '**/web-host/**', '**/preload/**'], message: 'The renderer talks to the core only through window.wardline.' },
        { group: ['**/shared/protocol/**', '**/shared/wire/**'], message: 'The renderer never touches protocol code or keys.' },
      ],
      true,
    ),
  },
  {
    files: ['server/**/*.ts'],
    rules: restrict([{ group: ['electron', '**/src/main/**', '**/src/renderer/**', '**/src/phone/**', '**/src/web-host/**'], message: 'The relay imports only src/shared.' }]),
  },
  {
    files: ['src/phone/**/*.ts'],
    rules: restrict([{ group: ['electron', '**/main/**', '**/renderer/**', '**/web-host/**'], message: 'The companion phone imports only src/shared (and server only in tests).' }]),
  },
  {
    files: ['src/admin/**/*.ts'],
    rules: restrict([{ group: ['electron', '**/main/**', '**/renderer/**', '**/web-host/**', '**/phone/**', '**/server/**'], message: 'The admin CLI imports only src/shared.' }]),
  },
);
