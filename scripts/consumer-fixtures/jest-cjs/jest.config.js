// A Jest 30 project as xrm-mock users have it: CommonJS, babel-jest, no ESM flags.
module.exports = { testEnvironment: "node" };
