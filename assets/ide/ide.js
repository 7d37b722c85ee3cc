// The IDE's start-up, in a file of its own so that the page's Content-Security-Policy
// needs no inline script.
    const defaultQuery = `# rectify: tracks 整改 (rectification) of shortcomings
# that agencies list in their annual reports.
# Open the Docs panel (top left) to see every query
# and mutation. Send your token in the Headers tab:
#   {"Authorization": "Bearer <token>"}

{
  agencies(first: 10) {
    totalCount
    nodes { id name }
  }
}
`;
    // A token handed over in the address's fragment (/graphql#token=…, as `rectify demo` prints
    // it) fills the Authorization header; fragments never reach the server or its logs.
    const token = new URLSearchParams(location.hash.slice(1)).get('token');
    const auth = token ? { Authorization: 'Bearer ' + token } : undefined;
    if (token) history.replaceState(null, '', location.pathname);
    // graphql-ws is bundled in the GraphiQL UMD build, so subscriptions go over /graphql/ws.
    const fetcher = GraphiQL.createFetcher({
      url: location.origin + '/graphql',
      subscriptionUrl: (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/graphql/ws',
      wsConnectionParams: auth,
    });
    ReactDOM.createRoot(document.getElementById('ide')).render(
      React.createElement(GraphiQL, {
        fetcher,
        defaultQuery,
        isHeadersEditorEnabled: true,
        defaultEditorToolsVisibility: 'headers',
        defaultHeaders: auth ? JSON.stringify(auth, null, 2) : undefined,
        headers: auth ? JSON.stringify(auth, null, 2) : undefined,
        // The token stays in this tab's memory, never in localStorage.
    shouldPersistHeaders: false,
      }),
    );
