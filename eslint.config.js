// Lint: typescript-eslint's recommended rules for .ts, eslint-plugin-vue's for .vue, plus the
// layering rule that keeps the pure core free of environment imports.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import vue from 'eslint-plugin-vue';
import vueParser from 'vue-eslint-parser';

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'dist-web/**', 'test-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parser: vueParser, parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'], sourceType: 'module' } },
  },
  {
    rules: {
      // TypeScript already checks names; this rule cannot see DOM/worker types.
      'no-undef': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
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
    files: ['renderer/src/**/*.{ts,vue}'],
    ignores: ['renderer/src/host/electron.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'The renderer never imports Electron: go through the Host.' }] }],
    },
  },
  {
    files: ['cli/**/*.{ts,mjs}'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['vue', 'pinia', 'electron', '@vue-flow/*', 'echarts', 'echarts/*'], message: 'The CLI is headless: core, node/ and Node built-ins only.' },
          { group: ['**/stores/*', '**/components/*', '**/composables/*', '**/host/*'], message: 'The CLI must not depend on the app layers.' },
        ],
      }],
    },
  },
  {
    files: ['renderer/src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['vue', 'pinia', 'electron', '@vue-flow/*', 'echarts', 'echarts/*'], message: 'The core is pure TypeScript: no Vue, Pinia, Electron or ECharts.' },
          { group: ['**/stores/*', '**/components/*', '**/composables/*', '**/host/*'], message: 'The core must not depend on the app layers.' },
        ],
      }],
    },
  },
);
