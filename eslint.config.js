// A small rule set aimed at real bugs rather than style: promises nobody awaits or that are passed
// where a callback's result is ignored, unused code, `any` leaking into the pure core, and lines
// longer than an editor shows. Import rules live in .dependency-cruiser.cjs, dead exports in knip.
import stylistic from '@stylistic/eslint-plugin';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['node_modules/', 'dist/', 'coverage/', 'data/', '.bench/'] },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    files: ['**/*.ts', '**/*.js', '**/*.cjs'],
    plugins: { '@typescript-eslint': tseslint.plugin, '@stylistic': stylistic },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', {
        args: 'after-used',
        argsIgnorePattern: '^_',
        varsIgnorePattern: '^_',
        caughtErrorsIgnorePattern: '^_',
        destructuredArrayIgnorePattern: '^_',
        ignoreRestSiblings: true,
      }],
      // a comment line holding nothing but a URL may run long; code may not
      '@stylistic/max-len': ['error', { code: 160, ignorePattern: '^\\s*(//|\\*)\\s*https?://\\S+$' }],
      'no-control-regex': 'error',
    },
  },
  {
    // plain JavaScript is outside the TypeScript program; the syntax rules above still apply
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'module', ecmaVersion: 2023 },
  },
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs' } },
  {
    // the pure core: no `any` in or out of it
    files: ['src/matching/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unsafe-argument': 'error',
      '@typescript-eslint/no-unsafe-assignment': 'error',
      '@typescript-eslint/no-unsafe-call': 'error',
      '@typescript-eslint/no-unsafe-member-access': 'error',
      '@typescript-eslint/no-unsafe-return': 'error',
    },
  },
);
