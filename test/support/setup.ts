// Loaded by mocha before any test file: quiet logs unless LOG_LEVEL is set.
process.env.LOG_LEVEL ??= 'silent';
