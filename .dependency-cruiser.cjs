// The import directions of the repository (ARCHITECTURE.md, "Repository layout"; STYLE.md, point 1),
// checked by `make layers` as part of `make test`. Type-only imports count: a layer that needs
// another's types depends on it as much as one that calls it.
//
//   platform/            the kernel (domain, trust, http, config, db, observability): imports none
//                        of the rest; observability stands on config and http alone
//   subgraphs/runtime/   what every subgraph runs on: the kernel only
//   subgraphs/<agency>/  one agency: the kernel and the runtime, never another agency
//   gateway/             the pipeline: the kernel and the runtime (its own in-process subgraphs),
//                        never an agency's code (it reaches agencies over signed HTTP only)
//   scripts/, bench/     commands: anything
//   test/                cross-process tests and their support: anything; nothing imports it
//                        but tests

/** An agency's folder; the capture group is the agency. */
const AGENCY = '^subgraphs/(market|tax|social|customs)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'platform-imports-no-app',
      comment:
        'The kernel is what the gateway and the subgraphs both stand on: if it imported either of ' +
        'them (or a command, a benchmark or a test) it would stand on what stands on it, and a ' +
        'change in one agency or in the gateway could break the other through it.',
      severity: 'error',
      from: { path: '^platform/' },
      to: { path: '^(gateway|subgraphs|scripts|bench|test)/' },
    },
    {
      name: 'domain-is-the-bottom-of-the-kernel',
      comment:
        'The domain (agencies, purposes, codes, scalars, the synthetic universe) is what every other ' +
        'layer of the kernel speaks of; it must not need request signing, HTTP or the database to be ' +
        'read (config only for where the repository keeps its schema files).',
      severity: 'error',
      from: { path: '^platform/domain/' },
      to: { path: '^platform/(trust|http|db)/' },
    },
    {
      name: 'observability-is-below-the-rest-of-the-kernel',
      comment:
        'Logs, metrics and traces are how every part of the kernel reports (the database times and ' +
        'traces its round trips through them): if observability needed the domain, trust or the ' +
        'database, those could not use it without a cycle. Config (its variables) and HTTP (the admin ' +
        'server) only.',
      severity: 'error',
      from: { path: '^platform/observability/' },
      to: { path: '^platform/(domain|trust|db|graphql)/' },
    },
    {
      name: 'runtime-imports-no-gateway-or-agency',
      comment:
        "subgraphs/runtime is what every subgraph runs on, the agencies' and the gateway's in-process " +
        'ones alike: code of the gateway or of one agency in it would run inside every other subgraph.',
      severity: 'error',
      from: { path: '^subgraphs/runtime/' },
      to: { path: ['^gateway/', AGENCY] },
    },
    {
      name: 'agency-imports-no-other-agency',
      comment:
        'Each agency keeps its own data in its own system and shares it only through the graph, ' +
        "under the policy: one agency's code reading another's would go around the gateway's " +
        'decisions and its audit record.',
      severity: 'error',
      from: { path: AGENCY },
      to: { path: AGENCY, pathNot: '^subgraphs/$1/' },
    },
    {
      name: 'agency-imports-no-gateway',
      comment:
        "A subgraph is its own process, owned by its agency, answering only the gateway's signed " +
        "requests; it needs the kernel and the runtime, never the gateway's pipeline.",
      severity: 'error',
      from: { path: AGENCY },
      to: { path: '^gateway/' },
    },
    {
      name: 'gateway-imports-no-agency',
      comment:
        'The gateway reaches an agency only over signed HTTP, through the supergraph composed at ' +
        "build time: importing an agency's resolvers or data sources would read its database " +
        "without the signature, the policy or the agency's own access log.",
      severity: 'error',
      from: { path: '^gateway/' },
      to: { path: AGENCY },
    },
    {
      name: 'production-imports-no-test',
      comment:
        'test/ (test/support included) is for tests: helpers that start processes, forge tokens and ' +
        'attack the federation must never ship in a process. Unit tests beside their module may use it.',
      severity: 'error',
      from: { path: '^(platform|subgraphs|gateway|scripts|bench)/', pathNot: '\\.test\\.ts$' },
      to: { path: '^test/' },
    },
    {
      name: 'no-circular',
      comment: 'A cycle makes two modules one that cannot be understood, tested or moved apart.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-unresolvable',
      comment:
        'An import the checker cannot resolve is one it cannot judge: every rule above would pass ' +
        'over it in silence.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    exclude: { path: '^(dist|\\.data|\\.tools)/' },
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Resolve packages as TypeScript does, "types" condition included: some (such as
    // @apollo/server-gateway-interface) export types only, and would otherwise count as unresolvable.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['types', 'import', 'require', 'node', 'default'],
    },
  },
};
