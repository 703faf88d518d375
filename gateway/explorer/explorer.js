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

// The example's variable is filled with the first registered enterprise, so it runs as it is.
async function firstCode() {
  try {
    const res = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ searchEnterprises(first: 1) { edges { node { uscc } } } }' }),
    });
    const body = await res.json();
    return body.data.searchEnterprises.edges[0].node.uscc;
  } catch {
    return '91350100M000100Y43';
  }
}

firstCode().then((uscc) => {
  const root = ReactDOM.createRoot(document.getElementById('explorer'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher,
      defaultQuery: EXAMPLE,
      // GraphiQL 3 reads the variables editor's first text from `variables` (it has no defaultVariables).
      variables: JSON.stringify({ uscc }, null, 2),
      defaultEditorToolsVisibility: true,
    }),
  );
});
