// Starts GraphiQL against this gateway, with an example query over all four agencies.
/* global React, ReactDOM, GraphiQL */
const EXAMPLE = `# Market Entity Graph: one enterprise as every agency knows it.
# Callers without a token are the public and see published fields only.
query EnterpriseProfile($uscc: USCC!) {
  enterprise(uscc: $uscc) {
    uscc
    market { name status establishedOn regionCode industryCode
      legalRepresentative { name }
      penalties { decisionNo decidedOn basis amount }
      abnormalOperations { reason listedOn removedOn }
      seriousViolations { reason listedOn } }
    tax { creditRatings { year rating } majorViolations { caseNo nature } }
    social { insuredHeadcount }
    customs { creditLevel }
  }
}
`;

const fetcher = GraphiQL.createFetcher({ url: window.location.origin + '/graphql' });
const root = ReactDOM.createRoot(document.getElementById('explorer'));
root.render(
  React.createElement(GraphiQL, {
    fetcher,
    defaultQuery: EXAMPLE,
    defaultEditorToolsVisibility: true,
  }),
);
