// Jest runs the tests tsc compiled into build/ (tsconfig.test.json), as native ES modules: the TypeScript SDK the
// action imports is ESM, so Node needs --experimental-vm-modules (set by `npm test`). No transform: nothing to compile.
module.exports = {
  testEnvironment: "node",
  rootDir: __dirname,
  testMatch: ["<rootDir>/build/backstage/test/**/*.test.mjs"],
  transform: {},
  // Every test shares one server; the suites run one after another.
  maxWorkers: 1,
};
